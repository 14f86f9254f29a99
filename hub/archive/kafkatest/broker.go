// Package kafkatest starts real Apache Kafka brokers for tests: KRaft, single
// node (broker and controller in one JVM), on 127.0.0.1 with free ports and
// its data in a temporary folder. scripts/peers.sh installs the broker's jars
// and announces them in $GENEVA_KAFKA_LIB.
package kafkatest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"
)

// LibEnv names the environment variable holding the folder of Kafka's jars.
const LibEnv = "GENEVA_KAFKA_LIB"

// Broker is one running (or stopped) Kafka process and its data folder.
type Broker struct {
	Addr   string  // bootstrap address of the PLAINTEXT listener, 127.0.0.1:port
	Secure *Secure // the SASL_SSL listener; nil unless launched with Options.Secured

	lib, dir   string
	properties string
	cmd        *exec.Cmd
	exited     chan error
}

// Options are what a broker offers beyond its PLAINTEXT listener.
type Options struct {
	// Secured adds a SASL_SSL listener (see Secure) beside the PLAINTEXT one.
	Secured bool
}

// Launch formats a fresh data folder under dir and starts a broker from
// the jars in lib. It returns once the broker answers metadata requests.
func Launch(lib, dir string) (*Broker, error) { return LaunchWith(lib, dir, Options{}) }

// LaunchWith is Launch with options.
func LaunchWith(lib, dir string, opts Options) (*Broker, error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	b := &Broker{
		Addr:       net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])),
		lib:        lib,
		dir:        dir,
		properties: filepath.Join(dir, "server.properties"),
	}
	if opts.Secured {
		if b.Secure, err = newSecure(dir, ports[2]); err != nil {
			return nil, fmt.Errorf("kafkatest: certificates: %w", err)
		}
	}
	if err := b.writeConfig(ports[0], ports[1]); err != nil {
		return nil, err
	}
	if err := b.format(); err != nil {
		return nil, err
	}
	if err := b.start(); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Broker) writeConfig(brokerPort, controllerPort int) error {
	secured := ""
	if b.Secure != nil {
		secured = ",SASL_SSL://" + b.Secure.Addr
	}
	props := fmt.Sprintf(`process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:%[2]d
listeners=PLAINTEXT://127.0.0.1:%[1]d,CONTROLLER://127.0.0.1:%[2]d%[4]s
advertised.listeners=PLAINTEXT://127.0.0.1:%[1]d%[4]s
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
log.dirs=%[3]s
auto.create.topics.enable=false
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
share.coordinator.state.topic.replication.factor=1
`, brokerPort, controllerPort, filepath.Join(b.dir, "data"), secured)
	if b.Secure != nil {
		props += b.Secure.properties()
	}
	logs := `log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.Append=true
log4j.appender.file.File=` + filepath.Join(b.dir, "server.log") + `
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
`
	if err := os.WriteFile(b.properties, []byte(props), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(b.dir, "log4j.properties"), []byte(logs), 0o644)
}

func (b *Broker) java(mainClass string, args ...string) *exec.Cmd {
	argv := []string{
		"-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
		"-Dlog4j.configuration=file:" + filepath.Join(b.dir, "log4j.properties"),
		"-cp", filepath.Join(b.lib, "*"), mainClass,
	}
	return exec.Command("java", append(argv, args...)...)
}

func (b *Broker) format() error {
	// A base64url id may start with '-', which StorageTool's argument
	// parser takes for an option (a usage error one format in 64).
	id := make([]byte, 16)
	cluster := "-"
	for cluster[0] == '-' {
		if _, err := rand.Read(id); err != nil {
			return err
		}
		cluster = base64.RawURLEncoding.EncodeToString(id)
	}
	args := []string{"format", "-t", cluster, "-c", b.properties}
	if b.Secure != nil {
		args = append(args, b.Secure.scramArgs()...)
	}
	out, err := b.java("kafka.tools.StorageTool", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("kafkatest: kafka-storage format: %v: %s", err, out)
	}
	return nil
}

func (b *Broker) start() error {
	out, err := os.OpenFile(filepath.Join(b.dir, "console.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := b.java("kafka.Kafka", b.properties)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("kafkatest: start java: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); out.Close() }()
	b.cmd, b.exited = cmd, exited
	return b.waitReady(90 * time.Second)
}

// waitReady polls until the broker lists itself in a metadata response.
func (b *Broker) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case err := <-b.exited:
			b.exited <- err
			return fmt.Errorf("kafkatest: broker exited during startup (%v); see %s", err, filepath.Join(b.dir, "server.log"))
		default:
		}
		err := probe(b.Addr)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			_ = b.Kill()
			return fmt.Errorf("kafkatest: broker at %s not ready after %s (last error %v); see %s", b.Addr, limit, err, b.dir)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// probe asks the broker for its controller on a fresh connection (a
// kafka.Client would answer metadata from its transport's cache).
func probe(addr string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := kafka.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	_, err = conn.Controller()
	return err
}

// Running reports whether the broker process is alive.
func (b *Broker) Running() bool {
	if b.cmd == nil {
		return false
	}
	select {
	case err := <-b.exited:
		b.exited <- err
		return false
	default:
		return true
	}
}

// Stop shuts the broker down cleanly (SIGTERM) and waits for it to exit.
func (b *Broker) Stop() error { return b.signal(syscall.SIGTERM, 60*time.Second) }

// Kill ends the broker at once (SIGKILL), as a crash would.
func (b *Broker) Kill() error { return b.signal(syscall.SIGKILL, 30*time.Second) }

func (b *Broker) signal(sig syscall.Signal, limit time.Duration) error {
	if !b.Running() {
		return nil
	}
	_ = syscall.Kill(-b.cmd.Process.Pid, sig)
	select {
	case <-b.exited:
	case <-time.After(limit):
		_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		<-b.exited
		if sig != syscall.SIGKILL {
			return errors.New("kafkatest: broker ignored SIGTERM; killed it")
		}
	}
	b.cmd = nil
	return nil
}

// Restart starts a stopped broker again on the same ports and data.
func (b *Broker) Restart() error {
	if b.Running() {
		if err := b.Stop(); err != nil {
			return err
		}
	}
	return b.start()
}

// Dir is the broker's folder: configuration, data and logs.
func (b *Broker) Dir() string { return b.dir }

func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// LogTail is the end of the broker's log, for test failure messages.
func (b *Broker) LogTail() string {
	data, _ := os.ReadFile(filepath.Join(b.dir, "server.log"))
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	return "kafka server.log (tail):\n" + string(data)
}

// CPU is the user and system CPU time the broker's process has used so
// far (Linux /proc, 10 ms resolution): benchmarks weigh the broker's share
// of a shared machine with it.
func (b *Broker) CPU() (time.Duration, error) {
	if b.cmd == nil || b.cmd.Process == nil {
		return 0, errors.New("kafkatest: broker not running")
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", b.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	_, rest, ok := bytes.Cut(stat, []byte(") "))
	fields := strings.Fields(string(rest))
	if !ok || len(fields) < 13 {
		return 0, fmt.Errorf("kafkatest: unexpected /proc stat %q", stat)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("kafkatest: /proc stat: %w", err)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}
