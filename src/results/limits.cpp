#include "results/limits.h"

#include <fmt/format.h>

#include <algorithm>

namespace copybench {
namespace {

std::string pct_text(std::optional<double> pct) { return pct ? fmt::format("{:.0f}%", *pct) : std::string("unknown"); }

bool at_least(std::optional<double> v, double threshold) { return v && *v >= threshold; }
bool at_most(std::optional<double> v, double threshold) { return v && *v <= threshold; }

std::optional<double> idle_of(const SideFigures& side) { return side.cpu ? side.cpu->system_idle_pct : std::nullopt; }

bool tcp_known(const RunResult& r) { return r.params.mode == TestMode::stream && r.sender->tcp_info.has_value(); }

// Why a side's connection threads are not all known ("" when every one is): a side can be said
// not to have saturated only when none of its threads is missing.
std::string unknown_threads(const SideFigures& side) {
  const auto& pcts = side.cpu->thread_on_cpu_pct;
  const bool all_known = !pcts.empty() && std::all_of(pcts.begin(), pcts.end(), [](const auto& p) { return p; });
  if (all_known) return "";
  return fmt::format("the {}'s connection threads' CPU time is unknown ({})", side_name(side.side),
                     side.cpu->thread_reason.empty() ? "not measured" : side.cpu->thread_reason);
}

// The figures a verdict is decided from: each side's busiest thread and machine idle share,
// and a stream sender's TCP chrono clocks.
LimitFigures measured_figures(const RunResult& r) {
  LimitFigures f;
  f.thread_threshold_pct = kSaturatedThreadPct;
  f.idle_threshold_pct = kSaturatedIdlePct;
  f.sender_thread_pct = r.sender->cpu->busiest_thread_pct();
  f.receiver_thread_pct = r.receiver->cpu->busiest_thread_pct();
  f.sender_idle_pct = idle_of(*r.sender);
  f.receiver_idle_pct = idle_of(*r.receiver);
  // A stream's sender says in TCP_INFO what held it; in rr both ends send and wait by turns.
  f.tcp_limited_threshold_pct = kTcpLimitedPct;
  if (tcp_known(r)) {
    f.sender_busy_pct = r.sender->tcp_info->busy_pct;
    f.sender_rwnd_limited_pct = r.sender->tcp_info->rwnd_limited_pct;
    f.sender_sndbuf_limited_pct = r.sender->tcp_info->sndbuf_limited_pct;
  }
  // Loopback and netns: both sides read one machine's /proc/stat, and their threads share its CPUs.
  f.one_machine = !r.sender->host.empty() && r.sender->host == r.receiver->host;
  return f;
}

// The verdict and its words from the figures, first match wins: a saturated side, a shared
// machine with no CPU idle, the sender's send buffer, the receiver's window, else neither.
// A side whose threads were not all measured (its `unknown_threads` given) is never said not to
// have saturated, and then "neither" cannot be decided: returns false, with the reason in f.why.
bool decide(LimitFigures& f, const std::string& sender_unknown, const std::string& receiver_unknown) {
  const std::string unknown = sender_unknown.empty()     ? receiver_unknown
                              : receiver_unknown.empty() ? sender_unknown
                                                         : sender_unknown + "; " + receiver_unknown;
  const bool sender_thread = at_least(f.sender_thread_pct, kSaturatedThreadPct);
  const bool receiver_thread = at_least(f.receiver_thread_pct, kSaturatedThreadPct);
  const bool sender_machine = at_most(f.sender_idle_pct, kSaturatedIdlePct);
  const bool receiver_machine = at_most(f.receiver_idle_pct, kSaturatedIdlePct);
  const auto threads = fmt::format("busiest connection thread on a CPU: sender {}, receiver {} of the window",
                                   pct_text(f.sender_thread_pct), pct_text(f.receiver_thread_pct));
  const auto idle = f.one_machine ? fmt::format("machine idle {}", pct_text(f.receiver_idle_pct))
                                  : fmt::format("idle: sender's machine {}, receiver's {}", pct_text(f.sender_idle_pct),
                                                pct_text(f.receiver_idle_pct));
  const auto figures =
      unknown.empty() ? fmt::format("{}; {}", threads, idle) : fmt::format("{}; {}; {}", threads, idle, unknown);
  bool sender = sender_thread, receiver = receiver_thread;
  if (!f.one_machine) {  // each machine's own CPUs
    sender = sender || sender_machine;
    receiver = receiver || receiver_machine;
  }
  // Where one side is unknown, the known side is all that was measured to be unsaturated.
  const std::string unsaturated = unknown.empty()            ? "no side saturated"
                                  : sender_unknown.empty()   ? "the sender not saturated"
                                  : receiver_unknown.empty() ? "the receiver not saturated"
                                                             : "no measured thread saturated";
  if (sender && receiver) {
    f.verdict = Limit::both_cpus;
    f.why = fmt::format("both sides saturated ({})", figures);
  } else if (sender || receiver) {
    f.verdict = sender ? Limit::sender_cpu : Limit::receiver_cpu;
    f.why = fmt::format("{} saturated ({})", sender ? "the sender" : "the receiver", figures);
  } else if (f.one_machine && receiver_machine) {
    // No thread had a CPU to itself, yet none was left idle: the sides took turns on the same CPUs.
    f.verdict = Limit::both_cpus;
    f.why = fmt::format("the machine's CPUs were all busy and both sides ran on them ({})", figures);
  } else if (at_least(f.sender_sndbuf_limited_pct, kTcpLimitedPct) &&
             f.sender_rwnd_limited_pct.value_or(0) <= *f.sender_sndbuf_limited_pct) {
    f.verdict = Limit::sender_sndbuf;
    f.why = fmt::format("sender limited by its send buffer {} of the window, {} ({})",
                        pct_text(f.sender_sndbuf_limited_pct), unsaturated, figures);
  } else if (at_least(f.sender_rwnd_limited_pct, kTcpLimitedPct)) {
    f.verdict = Limit::receiver_window;
    f.why = fmt::format("sender limited by the receiver's window {} of the window, {} ({})",
                        pct_text(f.sender_rwnd_limited_pct), unsaturated, figures);
  } else if (!unknown.empty()) {
    f.why = fmt::format(
        "{} and TCP held the sender by no cause half the window, but {}: what set the rate is not known "
        "({}; {})",
        unsaturated, unknown, threads, idle);
    return false;
  } else {
    f.verdict = Limit::neither;
    f.why = fmt::format("no side saturated ({}): the rate was set by waiting (round trips, TCP's windows, the link)",
                        figures);
  }
  return true;
}

// Why no verdict can be given before the figures are looked at ("" when one can be).
std::string missing_side(const RunResult& r) {
  if (!r.sender) return "the sender's figures are missing";
  if (!r.receiver) return "the receiver's figures are missing";
  if (!r.sender->cpu) return "the sender measured no window";
  if (!r.receiver->cpu) return "the receiver measured no window";
  return "";
}

}  // namespace

void decide_limit(RunResult& r) {
  r.limited_by.reset();
  if (auto missing = missing_side(r); !missing.empty()) {
    r.limited_by_reason = missing;
    return;
  }
  LimitFigures f = measured_figures(r);
  if (!f.sender_thread_pct && !f.receiver_thread_pct) {
    r.limited_by_reason =
        "neither side knows its threads' CPU time: " +
        (r.sender->cpu->thread_reason.empty() ? r.receiver->cpu->thread_reason : r.sender->cpu->thread_reason);
    return;
  }
  if (!decide(f, unknown_threads(*r.sender), unknown_threads(*r.receiver))) {
    r.limited_by_reason = f.why;
    return;
  }
  if (tcp_known(r) && f.verdict != Limit::sender_sndbuf && f.verdict != Limit::receiver_window)
    f.why += fmt::format(
        "; the sender's TCP: busy {}, receiver window limited {}, send buffer limited {} of the window",
        pct_text(f.sender_busy_pct), pct_text(f.sender_rwnd_limited_pct), pct_text(f.sender_sndbuf_limited_pct));
  r.limited_by = std::move(f);
  r.limited_by_reason.clear();
}

}  // namespace copybench
