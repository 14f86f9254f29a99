//go:build race

package hub_test

// raceDetector: the race detector slows each goroutine 5-10 times, and
// unevenly, so timing bounds do not hold under it (TestFloodsKeepOthersOnTime).
const raceDetector = true
