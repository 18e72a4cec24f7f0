module github.com/tandem-go/tandem/bench

go 1.26.0

replace (
	github.com/tandem-go/tandem => ../
	github.com/tandem-go/tandem/ratelimit/redisrate => ../ratelimit/redisrate
)

tool golang.org/x/perf/cmd/benchstat

require (
	github.com/alitto/pond/v2 v2.7.1
	github.com/destel/rill v0.8.1
	github.com/gammazero/workerpool v1.3.0
	github.com/go-redis/redis_rate/v10 v10.0.1
	github.com/panjf2000/ants/v2 v2.12.1
	github.com/redis/go-redis/v9 v9.23.0
	github.com/samber/lo v1.53.0
	github.com/sourcegraph/conc v0.3.0
	github.com/tandem-go/tandem v0.1.0
	github.com/tandem-go/tandem/ratelimit/redisrate v0.1.0
	go.uber.org/ratelimit v0.3.1
	golang.org/x/sync v0.25.0
	golang.org/x/time v0.16.0
)

require (
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794 // indirect
	github.com/benbjohnson/clock v1.3.0 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/gammazero/deque v1.2.2 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	go.uber.org/multierr v1.9.0 // indirect
	golang.org/x/perf v0.0.0-20260908200009-22c9c6c9d4da // indirect
	golang.org/x/sys v0.48.0 // indirect
)
