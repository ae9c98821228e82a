// flipserver: the alert receiver of scripts/bench-alerts (the polled target is nginx).
//
//	POST /hook     an alert delivery: counted, with the time of the first and the last; while paused,
//	               held until resumed
//	POST /pause    hold deliveries from now on;  POST /resume  let them through
//	POST /reset    zero the counters;            GET /stats   {"hooks":N,"first_ns":…,"last_ns":…}
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address")
	flag.Parse()
	var hooks, first, last atomic.Int64
	var mu sync.Mutex
	gate := make(chan struct{})
	close(gate)
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		g := gate
		mu.Unlock()
		<-g
		now := time.Now().UnixNano()
		first.CompareAndSwap(0, now)
		last.Store(now)
		hooks.Add(1)
	})
	mux.HandleFunc("/pause", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gate = make(chan struct{})
		mu.Unlock()
	})
	mux.HandleFunc("/resume", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		select {
		case <-gate:
		default:
			close(gate)
		}
		mu.Unlock()
	})
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		hooks.Store(0)
		first.Store(0)
		last.Store(0)
	})
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"hooks":%d,"first_ns":%d,"last_ns":%d}`, hooks.Load(), first.Load(), last.Load())
	})
	log.Fatal(http.ListenAndServe(*listen, mux))
}
