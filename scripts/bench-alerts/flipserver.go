// flipserver: the target and the alert receiver of scripts/bench-alerts, in one loopback process.
//
//	GET|HEAD /u/<anything>  200, or 503 while flipped down
//	POST /flip?down=1|0     flips every /u/ URL at once
//	POST /hook              an alert delivery: counted, with the time of the first and the last
//	GET /stats              {"hooks":N,"first_ns":…,"last_ns":…,"polls":N}
//	POST /reset             zeroes the counters
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync/atomic"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address")
	flag.Parse()
	var down, hooks, first, last, polls atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/u/", func(w http.ResponseWriter, r *http.Request) {
		polls.Add(1)
		if down.Load() == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("/flip", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("down") == "1" {
			down.Store(1)
		} else {
			down.Store(0)
		}
	})
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		now := time.Now().UnixNano()
		first.CompareAndSwap(0, now)
		last.Store(now)
		hooks.Add(1)
	})
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		hooks.Store(0)
		first.Store(0)
		last.Store(0)
		polls.Store(0)
	})
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"hooks":%d,"first_ns":%d,"last_ns":%d,"polls":%d}`, hooks.Load(), first.Load(), last.Load(), polls.Load())
	})
	log.Fatal(http.ListenAndServe(*listen, mux))
}
