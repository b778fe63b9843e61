// Micro-benchmarks of the pieces that run once per message (Google Benchmark). They say what
// copybench's own bookkeeping costs next to the work it measures (docs/PERFORMANCE.md).
#include <benchmark/benchmark.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "core/message.h"
#include "metrics/histogram.h"
#include "metrics/perf_counters.h"
#include "session/window.h"
#include "strategies/zc_tracker.h"

using namespace copybench;

static void BM_ClockRead(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(now_ns());
}
BENCHMARK(BM_ClockRead);

static void BM_HistogramRecord(benchmark::State& state) {
  LatencyHistogram h;
  uint64_t v = 1;
  for (auto _ : state) {
    h.record(v);
    v = v * 6364136223846793005ull + 1442695040888963407ull;  // spread over every bucket
    v >>= 40;
  }
  benchmark::DoNotOptimize(h.count());
}
BENCHMARK(BM_HistogramRecord);

// What one timed send costs on top of the send: two clock reads and a record. The counters
// p50_ns and p99_ns are the percentiles of the back-to-back reads' differences it recorded.
static void BM_TimedMessageOverhead(benchmark::State& state) {
  LatencyHistogram h;
  for (auto _ : state) {
    int64_t t0 = now_ns();
    int64_t t1 = now_ns();
    h.record(static_cast<uint64_t>(t1 - t0));
  }
  benchmark::DoNotOptimize(h.count());
  state.counters["p50_ns"] = static_cast<double>(h.percentile(50));
  state.counters["p99_ns"] = static_cast<double>(h.percentile(99));
}
BENCHMARK(BM_TimedMessageOverhead);

static void BM_CounterAdd(benchmark::State& state) {
  CounterSet counters(1);
  for (auto _ : state) counters[0].add(1024, 1);
  benchmark::DoNotOptimize(counters[0].bytes.load());
}
BENCHMARK(BM_CounterAdd);

static void BM_Snapshot(benchmark::State& state) {
  CounterSet counters(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(counters.snapshot());
}
BENCHMARK(BM_Snapshot)->Arg(1)->Arg(8)->Arg(256);

static void BM_PatternFill(benchmark::State& state) {
  Message m(static_cast<size_t>(state.range(0)));
  uint64_t seq = 0;
  for (auto _ : state) m.fill({1, seq++});
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_PatternFill)->Arg(1024)->Arg(65536);

static void BM_PatternCheck(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto buf = std::make_unique<std::byte[]>(n);
  fill_pattern({1, 7}, 0, buf.get(), n);
  for (auto _ : state) benchmark::DoNotOptimize(check_pattern({1, 7}, 0, buf.get(), n));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_PatternCheck)->Arg(1024)->Arg(65536);

// Completion-range bookkeeping of zero-copy: one id issued and completed per message, with the
// kernel's usual coalescing (ranges of 8).
static void BM_ZcTrackerIssueComplete(benchmark::State& state) {
  ZcTracker t;
  uint32_t lo = 0;
  for (auto _ : state) {
    uint32_t id = t.issue();
    if ((id & 7) == 7) {
      t.complete(lo, id);
      lo = id + 1;
    }
  }
  benchmark::DoNotOptimize(t.outstanding());
}
BENCHMARK(BM_ZcTrackerIssueComplete);

// Reading a side's counters at the window's end (software events; one thread).
static void BM_PerfCountersRead(benchmark::State& state) {
  ThreadCounters counters({current_tid()});
  counters.start();
  for (auto _ : state) benchmark::DoNotOptimize(counters.read());
  counters.stop();
}
BENCHMARK(BM_PerfCountersRead);

BENCHMARK_MAIN();
