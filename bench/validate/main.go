// Command validate-bench times `geneva validate FILE...` as a user runs it
// (a fresh process each time, start-up included, every line printed to a
// pipe that is read) against two other whole processes over the same
// files: a JSON-schema path over the official OASIS STIX 2.1 schemas (this
// program with -jsonschema: load and compile the schemas, then check every
// object of every file with santhosh-tekuri/jsonschema, as package
// schemas/oasis does, and print every finding), and, when
// $GENEVA_STIX2_VALIDATOR is set, the OASIS Python stix2-validator.
// The sides run interleaved, -runs times each; medians of the wall time and
// of the CPU time (user + system, from the child's rusage: steadier on a
// shared machine) and their ratios are printed (docs/benchmarks.md, "geneva validate, whole process"). Not run
// in CI.
//
//	eval "$(scripts/peers.sh)"
//	go run ./bench/validate -runs 5 -set corpus -set attack3
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/genevahub/geneva/schemas/oasis"
)

func main() {
	jsonschema := flag.String("jsonschema", "", "baseline mode: check the FILEs against the OASIS schemas in `DIR` and print the findings")
	var sets multiFlag
	flag.Var(&sets, "set", "input set: corpus (every corpus/valid file) or attack3 (3 copies of ATT&CK Mobile 17.1, 4 MB); repeatable")
	runs := flag.Int("runs", 5, "runs of each side per set")
	python := flag.Bool("python", true, "also time $GENEVA_STIX2_VALIDATOR when set (once per set: it is slow)")
	flag.Parse()
	if *jsonschema != "" {
		if err := baseline(*jsonschema, flag.Args(), os.Stdout); err != nil {
			log.Fatal(err)
		}
		return
	}
	if len(sets) == 0 {
		sets = multiFlag{"corpus", "attack3"}
	}
	if err := run(sets, *runs, *python); err != nil {
		log.Fatal(err)
	}
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// baseline is the JSON-schema path: what a validator built on the OASIS
// schemas does for each file.
func baseline(dir string, files []string, out io.Writer) error {
	k, err := oasis.Load(dir)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	defer w.Flush()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		fs := k.Check(data)
		fmt.Fprintf(w, "%s: %d findings\n", f, len(fs))
		for _, x := range fs {
			fmt.Fprintf(w, "  %s: %s [%s]\n", x.Pointer, x.Message, x.Rule)
		}
	}
	return nil
}

func run(sets []string, runs int, python bool) error {
	// Run from the repository's root: the corpus is under testdata/, the
	// OASIS schemas are vendored under schemas/oasis.
	const corpus = "testdata"
	tmp, err := os.MkdirTemp("", "validate-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	geneva, self := filepath.Join(tmp, "geneva"), filepath.Join(tmp, "validate-bench")
	for bin, pkg := range map[string]string{geneva: "./cmd/geneva", self: "./bench/validate"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	schemaDir := filepath.Join("schemas", "oasis", "stix2-json-schemas", "schemas")
	for _, set := range sets {
		files, err := inputSet(set, corpus, tmp)
		if err != nil {
			return err
		}
		size := int64(0)
		for _, f := range files {
			st, err := os.Stat(f)
			if err != nil {
				return err
			}
			size += st.Size()
		}
		sides := []side{
			{"geneva validate", append([]string{geneva, "validate"}, files...), false},
			{"json-schema (OASIS schemas)", append([]string{self, "-jsonschema", schemaDir}, files...), false},
		}
		times, cpus := make([][]time.Duration, len(sides)), make([][]time.Duration, len(sides))
		for r := range runs {
			for k := range sides {
				i := k
				if r%2 == 1 { // reverse the order every other run
					i = len(sides) - 1 - k
				}
				d, cpu, lines, err := sides[i].time()
				if err != nil {
					return err
				}
				times[i], cpus[i] = append(times[i], d), append(cpus[i], cpu)
				if r == 0 {
					log.Printf("%s, %s: %d lines of output", set, sides[i].name, lines)
				}
			}
		}
		fmt.Printf("\n%s: %d files, %.1f MB, %d runs each (medians, process start included), load average %s\n", set, len(files), float64(size)/1e6, runs, loadAverage())
		fmt.Printf("  %-28s %9s %9s %9s %9s   %s\n", "", "wall s", "× geneva", "CPU s", "× geneva", "wall of each run")
		gen, genCPU := median(times[0]), median(cpus[0])
		for i, s := range sides {
			m, c := median(times[i]), median(cpus[i])
			fmt.Printf("  %-28s %9.3f %9.1f %9.3f %9.1f   %s\n", s.name, m.Seconds(), float64(m)/float64(gen), c.Seconds(), float64(c)/float64(genCPU), list(times[i]))
		}
		if bin := os.Getenv("GENEVA_STIX2_VALIDATOR"); python && bin != "" {
			d, c, _, err := side{"stix2-validator", append([]string{bin}, files...), true}.time()
			if err != nil {
				return err
			}
			fmt.Printf("  %-28s %9.3f %9.1f %9.3f %9.1f   (1 run)\n", "OASIS stix2-validator", d.Seconds(), float64(d)/float64(gen), c.Seconds(), float64(c)/float64(genCPU))
		}
	}
	return nil
}

// inputSet lists the files of a named set (attack3 copies its file into dir).
func inputSet(name, corpus, dir string) ([]string, error) {
	switch name {
	case "corpus":
		files, err := filepath.Glob(filepath.Join(corpus, "corpus", "valid", "*.json"))
		if len(files) == 0 && err == nil {
			err = fmt.Errorf("no files in %s/corpus/valid (run from the repository's root)", corpus)
		}
		return files, err
	case "attack3":
		data, err := os.ReadFile(filepath.Join(corpus, "corpus", "valid", "attack-mobile-attack-17.1.json"))
		if err != nil {
			return nil, err
		}
		var files []string
		for i := range 3 {
			f := filepath.Join(dir, fmt.Sprintf("attack-mobile-%d.json", i))
			if err := os.WriteFile(f, data, 0o600); err != nil {
				return nil, err
			}
			files = append(files, f)
		}
		return files, nil
	}
	return nil, fmt.Errorf("unknown set %q (corpus or attack3)", name)
}

type side struct {
	name    string
	argv    []string
	anyExit bool // its exit status says nothing about the run (stix2-validator's are flags)
}

// time runs the side once, reading all it prints, and returns the wall
// time from start to exit, the CPU time the process used and the number of
// lines printed. An exit status of 1 (some input invalid) is normal.
func (s side) time() (wall, cpu time.Duration, lines int, _ error) {
	cmd := exec.Command(s.argv[0], s.argv[1:]...)
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		lines++
	}
	err = cmd.Wait()
	wall = time.Since(start)
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && (ee.ExitCode() == 1 || s.anyExit && lines > 0) {
		err = nil
	}
	if err == nil {
		err = sc.Err()
	}
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%s: %v", s.name, err)
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), lines, nil
}

// loadAverage is the 1-minute load average (Linux), or "?": the wall
// times mean little on a machine busy with other work.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func list(ds []time.Duration) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, fmt.Sprintf("%.3f", d.Seconds()))
	}
	return strings.Join(parts, " ")
}
