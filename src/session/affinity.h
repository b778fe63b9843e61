#pragma once
// --pin: which CPU each connection's thread runs on. Where the two ends of a connection run
// decides much of what is measured on one host: on the same CPU a wake-up is a context switch;
// on another, idle CPU it is an inter-processor interrupt and, in a VM, a halted vCPU to wake
// (tens of microseconds). Unpinned, the scheduler picks, differently from run to run.
#include <string>

#include "params/params.h"

namespace copybench {

/// The CPU for connection `index` on one side: same: both ends of connection i on the i-th
/// allowed CPU; split: the sender on the (2i)-th and the receiver on the (2i+1)-th (mod the
/// allowed CPUs). -1 when mode is none.
int pin_cpu(PinMode mode, int index, bool sender_side);

/// Pins the calling thread to `cpu` (no-op for -1). Returns "" or why it could not (the CPU and
/// errno's text): it runs at the top of connection threads, which report rather than throw.
std::string pin_current_thread(int cpu);

}  // namespace copybench
