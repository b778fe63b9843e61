#include "session/counter_slicer.h"

#include <algorithm>

#include "core/clock.h"
#include "core/error.h"

namespace copybench {

namespace {

void add(CounterReading& sum, const CounterReading& slice) {
  if (slice.value) sum.value = sum.value.value_or(0) + *slice.value;
  if (slice.running_pct) sum.running_pct = std::min(sum.running_pct.value_or(*slice.running_pct), *slice.running_pct);
  sum.threads = std::max(sum.threads, slice.threads);
  if (sum.reason.empty()) sum.reason = slice.reason;
}

}  // namespace

void CounterSlicer::open_and_count() {
  open_ = std::make_unique<ThreadCounters>(tids_);
  open_->start();
}

void CounterSlicer::stop_and_add() {
  if (!open_) return;
  open_->stop();
  auto readings = open_->read();
  open_.reset();  // closed: a timed slice has no event on the threads
  if (sum_.empty()) {
    sum_ = std::move(readings);
    return;
  }
  for (size_t i = 0; i < sum_.size() && i < readings.size(); ++i) add(sum_[i], readings[i]);
}

void CounterSlicer::close_slice(int64_t now) {
  (counting_ ? counted_ns_ : timed_ns_) += now - slice_start_ns_;
  ++(counting_ ? slices_counted_ : slices_timed_);
  slice_start_ns_ = now;
  if (!streams_) return;
  Snapshot snap = streams_->snapshot();
  if (!counting_) {
    timed_bytes_ += sum_of(snap.bytes) - sum_of(last_.bytes);
    timed_messages_ += sum_of(snap.messages) - sum_of(last_.messages);
  }
  last_ = std::move(snap);
}

void CounterSlicer::begin() {
  if (began_) return;
  began_ = true;
  counting_ = false;
  recording_.store(true, std::memory_order_relaxed);
  if (streams_) last_ = streams_->snapshot();
  slice_start_ns_ = now_ns();
  switcher_.start(slice_start_ns_ + slice_ns_, slice_ns_, [this] { flip(now_ns()); });
}

void CounterSlicer::flip(int64_t now) {
  if (!error_.empty() && !counting_) return;  // counting failed: every slice from here on is timed
  try {
    if (counting_) {
      stop_and_add();  // the counted slice ended at the edge, when they were disabled
      recording_.store(true, std::memory_order_relaxed);
    } else {
      recording_.store(false, std::memory_order_relaxed);
      open_and_count();
      now = now_ns();  // nor is opening them: the counted slice starts once they count
    }
  } catch (const Error& e) {
    error_ = e.what();
    open_.reset();
    recording_.store(true, std::memory_order_relaxed);
  }
  close_slice(now);
  counting_ = open_ != nullptr;
}

void CounterSlicer::end() {
  if (!began_ || ended_) return;
  ended_ = true;
  switcher_.stop();
  recording_.store(false, std::memory_order_relaxed);
  close_slice(now_ns());  // the last slice, cut short
  try {
    stop_and_add();
  } catch (const Error& e) {
    if (error_.empty()) error_ = e.what();
    open_.reset();
  }
  counting_ = false;
}

}  // namespace copybench
