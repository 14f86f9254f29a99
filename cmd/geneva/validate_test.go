package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/schemas/stixtest"
)

const (
	validFile   = "valid/validator-tool-valid-tool.json"
	invalidFile = "invalid/validator-tool-invalid-uuid.json" // id "tool--blablabla"
	warnFile    = "valid/warn-validator-tool-kill-chain-name-1.json"
	// Valid STIX 2.1 that the OASIS schemas reject (granular marking with
	// lang and no marking_ref): shows --stix-schemas at work.
	schemaRejects = "valid/python-stix2-test-markings-expected-campaign-with-granular-lang-markings.json"
	malformedFile = "invalid/validator-example-invalid-braces.json"
)

func corpusFile(t *testing.T, rel string) string {
	t.Helper()
	path := filepath.Join(stixtest.SharedDir(t), "corpus", filepath.FromSlash(rel))
	_, err := os.Stat(path)
	require.NoError(t, err)
	return path
}

type jsonFinding struct {
	Pointer string `json:"pointer"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

type jsonResult struct {
	File     string        `json:"file"`
	Valid    bool          `json:"valid"`
	Errors   []jsonFinding `json:"errors"`
	Warnings []jsonFinding `json:"warnings"`
}

// parseJSONLines decodes --output json, requiring one object per line with
// arrays that are present and never null.
func parseJSONLines(t *testing.T, out string) []jsonResult {
	t.Helper()
	var results []jsonResult
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var raw map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(sc.Bytes(), &raw), "line %q", sc.Text())
		for _, key := range []string{"file", "valid", "errors", "warnings"} {
			require.Contains(t, raw, key, "line %q", sc.Text())
		}
		require.True(t, strings.HasPrefix(string(raw["errors"]), "["), "errors is not an array: %s", raw["errors"])
		require.True(t, strings.HasPrefix(string(raw["warnings"]), "["), "warnings is not an array: %s", raw["warnings"])
		var r jsonResult
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		results = append(results, r)
	}
	require.NoError(t, sc.Err())
	return results
}

func TestValidateText(t *testing.T) {
	t.Run("valid file exits 0", func(t *testing.T) {
		file := corpusFile(t, validFile)
		stdout, stderr, code := runCLI(t, "validate", file)
		require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
		require.Equal(t, file+": valid\n", stdout)
		require.Empty(t, stderr)
	})
	t.Run("invalid file exits 1 and names each problem with its pointer", func(t *testing.T) {
		file := corpusFile(t, invalidFile)
		stdout, stderr, code := runCLI(t, "validate", file)
		require.Equal(t, 1, code, "stdout: %s\nstderr: %s", stdout, stderr)
		require.Empty(t, stderr)
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		require.True(t, strings.HasPrefix(lines[0], file+": invalid ("), "summary: %q", lines[0])
		require.GreaterOrEqual(t, len(lines), 2)
		require.Contains(t, stdout, "  error   /id: ")
		require.Contains(t, stdout, "blablabla")
	})
	t.Run("malformed JSON is invalid, not an I/O error", func(t *testing.T) {
		stdout, _, code := runCLI(t, "validate", corpusFile(t, malformedFile))
		require.Equal(t, 1, code)
		require.Contains(t, stdout, ": invalid (1 error)")
		require.Contains(t, stdout, "  error   (document): ")
	})
	t.Run("warnings are marked and do not fail", func(t *testing.T) {
		stdout, _, code := runCLI(t, "validate", corpusFile(t, warnFile))
		require.Equal(t, 0, code, stdout)
		require.Contains(t, stdout, ": valid (1 warning")
		require.Contains(t, stdout, "  warning /kill_chain_phases/0/kill_chain_name: ")
	})
	t.Run("every input gets a summary line", func(t *testing.T) {
		valid, invalid := corpusFile(t, validFile), corpusFile(t, invalidFile)
		stdout, _, code := runCLI(t, "validate", valid, invalid)
		require.Equal(t, 1, code)
		require.Contains(t, stdout, valid+": valid\n")
		require.Contains(t, stdout, invalid+": invalid (")
	})
}

func TestValidateJSON(t *testing.T) {
	valid, invalid := corpusFile(t, validFile), corpusFile(t, invalidFile)
	stdout, stderr, code := runCLI(t, "validate", "--output", "json", valid, invalid)
	require.Equal(t, 1, code, stderr)
	results := parseJSONLines(t, stdout)
	require.Len(t, results, 2)

	require.Equal(t, valid, results[0].File)
	require.True(t, results[0].Valid)
	require.Empty(t, results[0].Errors)

	require.Equal(t, invalid, results[1].File)
	require.False(t, results[1].Valid)
	require.NotEmpty(t, results[1].Errors)
	for _, f := range results[1].Errors {
		require.NotEmpty(t, f.Rule)
		require.NotEmpty(t, f.Message)
		require.NotContains(t, f.Message, "\n")
	}
	require.Equal(t, "/id", results[1].Errors[0].Pointer)
}

// TestValidateKeepsArgumentOrder: inputs are validated on every core, but
// results come out in the order the files were named, whatever their
// sizes (ATT&CK's 4 MB beside 1 KB files), and for -o json too.
func TestValidateKeepsArgumentOrder(t *testing.T) {
	all := stixtest.CorpusFiles(t, "valid")
	all = append(all, stixtest.CorpusFiles(t, "invalid")...)
	var files []string
	for i := len(all) - 1; i >= 0; i -= 3 { // not in directory order
		files = append(files, all[i])
	}
	stdout, stderr, code := runCLI(t, append([]string{"validate", "-o", "json"}, files...)...)
	require.Equal(t, 1, code, stderr)
	results := parseJSONLines(t, stdout)
	require.Len(t, results, len(files))
	for i, r := range results {
		require.Equal(t, files[i], r.File, "result %d", i)
	}
	stdout, _, _ = runCLI(t, append([]string{"validate"}, files...)...)
	var summaries []string
	for _, line := range strings.Split(stdout, "\n") {
		if line != "" && !strings.HasPrefix(line, "  ") {
			summaries = append(summaries, line[:strings.LastIndex(line, ": ")])
		}
	}
	require.Equal(t, files, summaries)
}

func TestValidateStdin(t *testing.T) {
	data, err := os.ReadFile(corpusFile(t, invalidFile))
	require.NoError(t, err)
	stdout, _, code := runCLIWithStdin(t, strings.NewReader(string(data)), "validate", "-o", "json", "-")
	require.Equal(t, 1, code)
	results := parseJSONLines(t, stdout)
	require.Len(t, results, 1)
	require.Equal(t, "(stdin)", results[0].File)
	require.False(t, results[0].Valid)
}

func TestValidateStrict(t *testing.T) {
	file := corpusFile(t, warnFile)
	stdout, _, code := runCLI(t, "validate", "-o", "json", file)
	require.Equal(t, 0, code)
	lax := parseJSONLines(t, stdout)
	require.Len(t, lax, 1)
	require.True(t, lax[0].Valid)
	require.NotEmpty(t, lax[0].Warnings, "the file breaks a SHOULD; expected a warning")

	stdout, _, code = runCLI(t, "validate", "-o", "json", "--strict", file)
	require.Equal(t, 1, code)
	strict := parseJSONLines(t, stdout)
	require.Len(t, strict, 1)
	require.False(t, strict[0].Valid)
	require.Equal(t, lax[0].Warnings, strict[0].Errors, "--strict turns exactly the warnings into errors")
	require.Empty(t, strict[0].Warnings)
}

func TestValidateStixSchemas(t *testing.T) {
	file := corpusFile(t, schemaRejects)
	dir := stixtest.SchemasDir(t)

	_, _, code := runCLI(t, "validate", file)
	require.Equal(t, 0, code, "valid STIX 2.1 by the specification")

	stdout, stderr, code := runCLI(t, "validate", "-o", "json", "--stix-schemas", dir, file)
	require.Equal(t, 1, code, stderr)
	results := parseJSONLines(t, stdout)
	require.Len(t, results, 1)
	require.Contains(t, results[0].Errors, jsonFinding{
		Pointer: "/granular_markings/0", Rule: "oasis.schema", Message: "missing property 'marking_ref'",
	})
}

func TestValidateUsageAndIOErrors(t *testing.T) {
	valid := corpusFile(t, validFile)
	for _, tc := range []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"no input", []string{"validate"}, "name at least one FILE"},
		{"unknown output format", []string{"validate", "--output", "yaml", valid}, `--output "yaml": want text or json`},
		{"unknown flag", []string{"validate", "--colour", valid}, "unknown flag: --colour"},
		{"stdin twice", []string{"validate", "-", "-"}, "given 2 times"},
		{"schemas folder missing", []string{"validate", "--stix-schemas", filepath.Join(t.TempDir(), "nope"), valid}, "--stix-schemas"},
		{"file missing", []string{"validate", "no-such-file.json"}, "no-such-file.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, tc.args...)
			require.Equal(t, 2, code, "stdout: %s\nstderr: %s", stdout, stderr)
			require.Contains(t, stderr, tc.wantStderr)
			require.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
		})
	}
	t.Run("an unreadable file does not stop the others", func(t *testing.T) {
		stdout, stderr, code := runCLI(t, "validate", "no-such-file.json", valid)
		require.Equal(t, 2, code)
		require.Contains(t, stderr, "no-such-file.json")
		require.Equal(t, valid+": valid\n", stdout)
	})
}

// TestValidateBinary builds the real geneva binary and checks its exit
// statuses, stdin and output streams as a shell sees them.
func TestValidateBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "geneva")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	valid, invalid := corpusFile(t, validFile), corpusFile(t, invalidFile)
	exit := func(err error) int {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		require.NoError(t, err)
		return 0
	}

	out, err = exec.Command(bin, "validate", valid).Output()
	require.Equal(t, 0, exit(err))
	require.Equal(t, valid+": valid\n", string(out))

	// No garbage collection while the packages initialise (startgc) nor
	// in the run of one small file (relaxGC): gctrace prints none.
	cmd := exec.Command(bin, "validate", valid)
	cmd.Env = append(withoutEnv(os.Environ(), "GOGC", "GODEBUG"), "GODEBUG=gctrace=1")
	var trace strings.Builder
	cmd.Stderr = &trace
	_, err = cmd.Output()
	require.Equal(t, 0, exit(err))
	require.NotRegexp(t, `(?m)^gc \d+ @`, trace.String(), "a collection while starting geneva validate")

	// Given files alone, the whole run happens while the program
	// initialises (validaterun); with a flag, in the command. Both print
	// the same, in the same order, with the same exit status, also when
	// stdout cannot be written.
	files := []string{invalid, valid, "no-such-file.json", valid, corpusFile(t, "valid/attack-mobile-attack-17.1.json"), invalid}
	run := func(stdout io.Writer, env []string, args ...string) (string, int) {
		var stderr strings.Builder
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr, cmd.Env = stdout, &stderr, env
		code := exit(cmd.Run())
		return stderr.String(), code
	}
	var early, late strings.Builder
	earlyErr, earlyCode := run(&early, nil, append([]string{"validate"}, files...)...)
	lateErr, lateCode := run(&late, nil, append([]string{"validate", "--output", "text"}, files...)...)
	require.Equal(t, late.String(), early.String())
	require.Equal(t, lateErr, earlyErr)
	require.Equal(t, 2, earlyCode)
	require.Equal(t, lateCode, earlyCode)
	require.Equal(t, 5, strings.Count(early.String(), ".json: "), early.String())
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	require.NoError(t, err)
	defer full.Close()
	earlyErr, earlyCode = run(full, nil, "validate", invalid)
	lateErr, lateCode = run(full, nil, "validate", "--strict=false", invalid)
	require.Equal(t, "geneva: validate: "+invalid+": write result: write /dev/stdout: no space left on device\n", earlyErr)
	require.Equal(t, lateErr, earlyErr)
	require.Equal(t, 1, earlyCode)
	require.Equal(t, lateCode, earlyCode)
	// The early run ends the process before the packages only other
	// commands need are initialised (GODEBUG=inittrace=1 prints a line
	// for each package initialised).
	env := append(withoutEnv(os.Environ(), "GODEBUG"), "GODEBUG=inittrace=1")
	inits, code := run(io.Discard, env, "validate", valid)
	require.Equal(t, 0, code)
	require.Contains(t, inits, "init github.com/genevahub/geneva/schemas @")
	require.NotContains(t, inits, "jsonschema")
	require.NotContains(t, inits, "kafka-go")
	inits, code = run(io.Discard, env, "validate", "--strict", valid)
	require.Equal(t, 0, code)
	require.Contains(t, inits, "init github.com/santhosh-tekuri/jsonschema/v6 @")

	out, err = exec.Command(bin, "validate", "--output", "json", invalid).Output()
	require.Equal(t, 1, exit(err))
	require.Len(t, parseJSONLines(t, string(out)), 1)

	cmd = exec.Command(bin, "validate", "-")
	cmd.Stdin, err = os.Open(valid)
	require.NoError(t, err)
	out, err = cmd.Output()
	require.Equal(t, 0, exit(err))
	require.Equal(t, "(stdin): valid\n", string(out))

	var stderr strings.Builder
	cmd = exec.Command(bin, "validate", "no-such-file.json")
	cmd.Stderr = &stderr
	_, err = cmd.Output()
	require.Equal(t, 2, exit(err))
	require.Equal(t, "geneva: validate: open no-such-file.json: no such file or directory\n", stderr.String())
}

// withoutEnv is env without the variables named.
func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			out = append(out, kv)
		}
	}
	return out
}
