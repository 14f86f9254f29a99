package schemas

// The vocabularies of STIX 2.1 section 10. Open vocabularies (-ov) allow
// other values (a warning); enumerations (-enum) do not (an error).
var (
	attackMotivationOV = newVocab("attack-motivation-ov", true, "accidental", "coercion", "dominance",
		"ideology", "notoriety", "organizational-gain", "personal-gain", "personal-satisfaction",
		"revenge", "unpredictable")
	attackResourceLevelOV = newVocab("attack-resource-level-ov", true, "individual", "club", "contest",
		"team", "organization", "government")
	groupingContextOV = newVocab("grouping-context-ov", true, "suspicious-activity", "malware-analysis", "unspecified")
	identityClassOV   = newVocab("identity-class-ov", true, "individual", "group", "system", "organization",
		"class", "unknown")
	implementationLanguageOV = newVocab("implementation-language-ov", true, "applescript", "bash", "c", "c++",
		"c#", "go", "java", "javascript", "lua", "objective-c", "perl", "php", "powershell", "python",
		"ruby", "scala", "swift", "typescript", "visual-basic", "x86-32", "x86-64")
	indicatorTypeOV = newVocab("indicator-type-ov", true, "anomalous-activity", "anonymization", "benign",
		"compromised", "malicious-activity", "attribution", "unknown")
	industrySectorOV = newVocab("industry-sector-ov", true, "agriculture", "aerospace", "automotive",
		"chemical", "commercial", "communications", "construction", "defense", "education", "energy",
		"entertainment", "financial-services", "government", "government-national", "government-regional",
		"government-local", "government-public-services", "emergency-services", "healthcare",
		"hospitality-leisure", "infrastructure", "dams", "nuclear", "water", "insurance", "manufacturing",
		"mining", "non-profit", "pharmaceuticals", "retail", "technology", "telecommunications",
		"transportation", "utilities")
	infrastructureTypeOV = newVocab("infrastructure-type-ov", true, "amplification", "anonymization",
		"botnet", "command-and-control", "control-system", "exfiltration", "firewall", "hosting-malware",
		"hosting-target-lists", "phishing", "reconnaissance", "routers-switches", "staging",
		"workstation", "unknown")
	malwareResultOV       = newVocab("malware-result-ov", true, "malicious", "suspicious", "benign", "unknown")
	malwareCapabilitiesOV = newVocab("malware-capabilities-ov", true, "accesses-remote-machines",
		"anti-debugging", "anti-disassembly", "anti-emulation", "anti-memory-forensics", "anti-sandbox",
		"anti-vm", "captures-input-peripherals", "captures-output-peripherals", "captures-system-state-data",
		"cleans-traces-of-infection", "commits-fraud", "communicates-with-c2", "compromises-data-availability",
		"compromises-data-integrity", "compromises-system-availability", "controls-local-machine",
		"degrades-security-software", "degrades-system-updates", "determines-c2-server",
		"emails-spam", "escalates-privileges", "evades-av", "exfiltrates-data", "fingerprints-host",
		"hides-artifacts", "hides-executing-code", "infects-files", "infects-remote-machines",
		"installs-other-components", "persists-after-system-reboot", "prevents-artifact-access",
		"prevents-artifact-deletion", "probes-network-environment", "self-modifies",
		"steals-authentication-credentials", "violates-system-operational-integrity")
	malwareTypeOV = newVocab("malware-type-ov", true, "adware", "backdoor", "bot", "bootkit", "ddos",
		"downloader", "dropper", "exploit-kit", "keylogger", "ransomware", "remote-access-trojan",
		"resource-exploitation", "rogue-security-software", "rootkit", "screen-capture", "spyware",
		"trojan", "unknown", "virus", "webshell", "wiper", "worm")
	patternTypeOV           = newVocab("pattern-type-ov", true, "stix", "pcre", "sigma", "snort", "suricata", "yara")
	processorArchitectureOV = newVocab("processor-architecture-ov", true, "alpha", "arm", "ia-64",
		"mips", "powerpc", "sparc", "x86", "x86-64")
	regionOV = newVocab("region-ov", true, "africa", "eastern-africa", "middle-africa", "northern-africa",
		"southern-africa", "western-africa", "americas", "latin-america-caribbean", "south-america",
		"caribbean", "central-america", "northern-america", "asia", "central-asia", "eastern-asia",
		"southern-asia", "south-eastern-asia", "western-asia", "europe", "eastern-europe",
		"northern-europe", "southern-europe", "western-europe", "oceania", "antarctica",
		"australia-new-zealand", "melanesia", "micronesia", "polynesia")
	reportTypeOV = newVocab("report-type-ov", true, "attack-pattern", "campaign", "identity", "indicator",
		"intrusion-set", "malware", "observed-data", "threat-actor", "threat-report", "tool", "vulnerability")
	threatActorTypeOV = newVocab("threat-actor-type-ov", true, "activist", "competitor", "crime-syndicate",
		"criminal", "hacker", "insider-accidental", "insider-disgruntled", "nation-state", "sensationalist",
		"spy", "terrorist", "unknown")
	threatActorRoleOV = newVocab("threat-actor-role-ov", true, "agent", "director", "independent",
		"infrastructure-architect", "infrastructure-operator", "malware-author", "sponsor")
	threatActorSophisticationOV = newVocab("threat-actor-sophistication-ov", true, "none", "minimal",
		"intermediate", "advanced", "expert", "innovator", "strategic")
	toolTypeOV = newVocab("tool-type-ov", true, "denial-of-service", "exploitation", "information-gathering",
		"network-capture", "credential-exploitation", "remote-access", "vulnerability-scanning", "unknown")
	accountTypeOV = newVocab("account-type-ov", true, "facebook", "ldap", "nis", "openid", "radius",
		"skype", "tacacs", "twitter", "unix", "windows-local", "windows-domain")
	windowsPEBinaryOV = newVocab("windows-pebinary-type-ov", true, "dll", "exe", "sys")

	opinionEnum = newVocab("opinion-enum", false, "strongly-disagree", "disagree", "neutral", "agree",
		"strongly-agree")
	encryptionAlgorithmEnum = newVocab("encryption-algorithm-enum", false, "AES-256-GCM",
		"ChaCha20-Poly1305", "mime-type-indicated")
	networkSocketAddressFamilyEnum = newVocab("network-socket-address-family-enum", false, "AF_UNSPEC",
		"AF_INET", "AF_IPX", "AF_APPLETALK", "AF_NETBIOS", "AF_INET6", "AF_IRDA", "AF_BTH")
	networkSocketTypeEnum = newVocab("network-socket-type-enum", false, "SOCK_STREAM", "SOCK_DGRAM",
		"SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET")
	windowsIntegrityLevelEnum   = newVocab("windows-integrity-level-enum", false, "low", "medium", "high", "system")
	windowsRegistryDatatypeEnum = newVocab("windows-registry-datatype-enum", false, "REG_NONE", "REG_SZ",
		"REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD", "REG_DWORD_BIG_ENDIAN", "REG_DWORD_LITTLE_ENDIAN",
		"REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTION",
		"REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD", "REG_INVALID_TYPE")
	windowsServiceStartTypeEnum = newVocab("windows-service-start-type-enum", false, "SERVICE_AUTO_START",
		"SERVICE_BOOT_START", "SERVICE_DEMAND_START", "SERVICE_DISABLED", "SERVICE_SYSTEM_ALERT")
	windowsServiceTypeEnum = newVocab("windows-service-type-enum", false, "SERVICE_KERNEL_DRIVER",
		"SERVICE_FILE_SYSTEM_DRIVER", "SERVICE_WIN32_OWN_PROCESS", "SERVICE_WIN32_SHARE_PROCESS")
	windowsServiceStatusEnum = newVocab("windows-service-status-enum", false, "SERVICE_CONTINUE_PENDING",
		"SERVICE_PAUSE_PENDING", "SERVICE_PAUSED", "SERVICE_RUNNING", "SERVICE_START_PENDING",
		"SERVICE_STOP_PENDING", "SERVICE_STOPPED")
)
