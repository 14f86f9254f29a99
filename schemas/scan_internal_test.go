package schemas

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/genevahub/geneva/internal/cputime"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// plainWord agrees with plainByte on every byte in every position.
func TestPlainWordMatchesPlainByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			var b [8]byte
			for i := range b {
				b[i] = 'a'
			}
			b[pos] = byte(c)
			if got, want := plainWord(binary.LittleEndian.Uint64(b[:])), plainByte[c]; got != want {
				t.Fatalf("byte 0x%02x at %d: plainWord %v, plainByte %v", c, pos, got, want)
			}
		}
	}
	// Neighbours must not mask each other (borrows across bytes).
	for c := 0; c < 256; c++ {
		for n := 0; n < 256; n++ {
			b := [8]byte{'a', 'a', 'a', byte(n), byte(c), 'a', 'a', 'a'}
			if got, want := plainWord(binary.LittleEndian.Uint64(b[:])), plainByte[c] && plainByte[n]; got != want {
				t.Fatalf("bytes 0x%02x 0x%02x: plainWord %v, want %v", n, c, got, want)
			}
		}
	}
}

// BenchmarkScanCorpus is the pre-scan alone over the valid corpus.
//
//	go test -run '^$' -bench BenchmarkScanCorpus ./schemas
func BenchmarkScanCorpus(b *testing.B) {
	var docs [][]byte
	size := 0
	for _, path := range stixtest.CorpusFiles(b, "valid") {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		docs, size = append(docs, data), size+len(data)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	cpu := cputime.Process()
	for b.Loop() {
		for _, d := range docs {
			s, _, err := scanJSONKeys(d, 64, true)
			if err != nil {
				b.Fatal(err.msg)
			}
			releaseScanner(s)
		}
	}
	if cpu = cputime.Process() - cpu; cpu > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/cpu.Seconds()/1e6, "MB/cpu-s")
	}
}

// The lowest byte specialBytes marks is the first byte plainByte rejects,
// whatever follows it (borrows only run upwards).
func TestSpecialBytesFirstMarkIsExact(t *testing.T) {
	check := func(b [8]byte) {
		want := 8
		for i, c := range b {
			if !plainByte[c] {
				want = i
				break
			}
		}
		got := 8
		if m := specialBytes(binary.LittleEndian.Uint64(b[:])); m != 0 {
			got = bits.TrailingZeros64(m) / 8
		}
		if got != want {
			t.Fatalf("% x: first special byte %d, want %d", b, got, want)
		}
	}
	// Every byte value at every position, followed by every byte value.
	for pos := 0; pos < 7; pos++ {
		for c := 0; c < 256; c++ {
			for n := 0; n < 256; n++ {
				b := [8]byte{'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'}
				b[pos], b[pos+1] = byte(c), byte(n)
				check(b)
			}
		}
	}
	// And random words.
	r := rand.New(rand.NewPCG(1, 2))
	for range 1_000_000 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], r.Uint64())
		check(b)
	}
}
