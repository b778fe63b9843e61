#include "metrics/cpu_buckets.h"

namespace copybench {
namespace {

struct Rule {
  std::string_view pattern;
  bool prefix;  // else the whole name
  Bucket bucket;
};

constexpr bool P = true, X = false;
using B = Bucket;

// THE table. The first rule that matches wins, so specific names come before the prefixes
// that would also match them (skb_copy_datagram_iter before skb_, tcp_zerocopy before tcp_,
// sk_wait_data before sk_). A function in no rule is decided by its callers (cpu_buckets.h).
constexpr Rule kRules[] = {
    // user→kernel copy of the payload: the send path's copy out of the caller's iovec.
    {"_copy_from_iter", P, B::copy_to_kernel},
    {"copy_from_iter", P, B::copy_to_kernel},
    {"__copy_from_iter", P, B::copy_to_kernel},
    {"copy_from_user_iter", P, B::copy_to_kernel},
    {"csum_and_copy_from_iter", P, B::copy_to_kernel},
    {"copy_page_from_iter", P, B::copy_to_kernel},
    {"skb_copy_to_page_nocache", X, B::copy_to_kernel},
    {"skb_do_copy_data_nocache", X, B::copy_to_kernel},
    {"skb_add_data_nocache", X, B::copy_to_kernel},
    // kernel→user copy of the payload: recvmsg copying skbs into the caller's buffer.
    {"_copy_to_iter", P, B::copy_to_user},
    {"copy_to_iter", P, B::copy_to_user},
    {"copy_to_user_iter", P, B::copy_to_user},
    {"copy_page_to_iter", P, B::copy_to_user},
    {"csum_and_copy_to_iter", P, B::copy_to_user},
    {"skb_copy_datagram_iter", X, B::copy_to_user},
    {"__skb_datagram_iter", X, B::copy_to_user},
    {"simple_copy_to_iter", X, B::copy_to_user},
    {"skb_copy_and_csum_datagram", P, B::copy_to_user},
    // MSG_ZEROCOPY pages copied after all: a local socket cannot keep pointing at them.
    {"skb_copy_ubufs", X, B::copy_zc_deferred},
    // Zero-copy bookkeeping: pinning the pages, completion notifications, the error queue,
    // and zero-copy receive's page mapping.
    {"skb_zerocopy_iter_stream", X, B::zc_bookkeeping},
    {"__zerocopy_sg_from_iter", P, B::zc_bookkeeping},
    {"zerocopy_sg_from_iter", P, B::zc_bookkeeping},
    {"zerocopy_fill_skb_from_iter", P, B::zc_bookkeeping},
    {"iov_iter_get_pages", P, B::zc_bookkeeping},
    {"iov_iter_extract_pages", P, B::zc_bookkeeping},
    {"gup_", P, B::zc_bookkeeping},
    {"__gup_", P, B::zc_bookkeeping},
    {"get_user_pages", P, B::zc_bookkeeping},
    {"__get_user_pages", P, B::zc_bookkeeping},
    {"pin_user_pages", P, B::zc_bookkeeping},
    {"unpin_user_page", P, B::zc_bookkeeping},
    {"follow_page", P, B::zc_bookkeeping},
    {"msg_zerocopy", P, B::zc_bookkeeping},
    {"__msg_zerocopy", P, B::zc_bookkeeping},
    {"sock_zerocopy", P, B::zc_bookkeeping},
    {"net_zcopy", P, B::zc_bookkeeping},
    {"skb_zcopy", P, B::zc_bookkeeping},
    {"mm_account_pinned_pages", X, B::zc_bookkeeping},
    {"mm_unaccount_pinned_pages", X, B::zc_bookkeeping},
    {"ip_recv_error", X, B::zc_bookkeeping},
    {"ipv6_recv_error", X, B::zc_bookkeeping},
    {"sock_recv_errqueue", X, B::zc_bookkeeping},
    {"sock_dequeue_err_skb", X, B::zc_bookkeeping},
    {"sock_queue_err_skb", X, B::zc_bookkeeping},
    {"io_notif", P, B::zc_bookkeeping},
    {"io_tx_ubuf", P, B::zc_bookkeeping},
    {"io_send_zc", P, B::zc_bookkeeping},
    {"io_sendzc", P, B::zc_bookkeeping},
    {"tcp_zerocopy", P, B::zc_bookkeeping},
    {"vm_insert_page", P, B::zc_bookkeeping},
    // --strategy sendfile and splice: page references moved into pipes and skbs instead of bytes copied
    // (skb_splice_from_iter before the skb_ prefix, __do_sys_vmsplice before __do_sys_).
    {"splice_to_socket", X, B::zc_bookkeeping},
    {"skb_splice_from_iter", X, B::zc_bookkeeping},
    {"filemap_splice_read", X, B::zc_bookkeeping},
    {"shmem_file_splice_read", X, B::zc_bookkeeping},
    {"splice_folio_into_pipe", X, B::zc_bookkeeping},
    {"direct_splice_actor", X, B::zc_bookkeeping},
    {"do_splice_direct", X, B::zc_bookkeeping},
    {"splice_direct_to_actor", X, B::zc_bookkeeping},
    {"splice_file_to_pipe", X, B::zc_bookkeeping},
    {"do_splice_read", X, B::zc_bookkeeping},
    {"do_sendfile", X, B::zc_bookkeeping},
    {"splice_from_pipe", P, B::zc_bookkeeping},
    {"splice_to_pipe", X, B::zc_bookkeeping},
    {"__do_sys_vmsplice", X, B::zc_bookkeeping},
    {"generic_pipe_buf_", P, B::zc_bookkeeping},
    {"page_cache_pipe_buf_", P, B::zc_bookkeeping},
    {"anon_pipe_buf_", P, B::zc_bookkeeping},
    {"user_page_pipe_buf_", P, B::zc_bookkeeping},
    // --recv splice: pages move from the receive queue into a pipe by reference and /dev/null
    // releases them (splice_write_null, pipe_to_null): no payload copy, so zero-copy
    // bookkeeping (before tcp_ and skb_ claim them). iter_file_splice_write is not on this path
    // (a file's splice_write, which does copy). Waiting for pipe space is the scheduler's.
    // --recv discard needs no rule: recv(MSG_TRUNC) runs tcp_recvmsg_locked without its copy,
    // so its samples are TCP/IP and the receiver's copy buckets stay empty.
    {"tcp_splice_read", X, B::zc_bookkeeping},
    {"tcp_splice_data_recv", X, B::zc_bookkeeping},
    {"skb_splice_bits", X, B::zc_bookkeeping},
    {"__splice_segment", P, B::zc_bookkeeping},
    {"spd_fill_page", P, B::zc_bookkeeping},
    {"sock_spd_release", X, B::zc_bookkeeping},
    {"splice_", P, B::zc_bookkeeping},
    {"__splice_from_pipe", X, B::zc_bookkeeping},
    {"pipe_to_null", X, B::zc_bookkeeping},
    {"add_to_pipe", X, B::zc_bookkeeping},
    {"do_splice", P, B::zc_bookkeeping},
    {"__do_splice", X, B::zc_bookkeeping},
    {"wait_for_space", X, B::sched_locks},
    {"pipe_wait_writable", X, B::sched_locks},
    // The idle loop.
    {"default_idle", P, B::idle},
    {"pv_native_safe_halt", X, B::idle},
    {"native_safe_halt", X, B::idle},
    {"arch_cpu_idle", P, B::idle},
    {"cpuidle_", P, B::idle},
    {"do_idle", X, B::idle},
    {"acpi_idle", P, B::idle},
    {"intel_idle", P, B::idle},
    {"mwait_idle", P, B::idle},
    {"poll_idle", X, B::idle},
    {"amd_e400_idle", X, B::idle},
    {"cpu_startup_entry", X, B::idle},
    // Softirq work that is not networking, before handle_softirqs below claims it.
    {"run_timer_softirq", X, B::other},
    {"__run_timers", P, B::other},
    {"hrtimer_run_softirq", X, B::other},
    {"rcu_", P, B::other},
    {"tasklet_", P, B::other},
    // Scheduler, waiting and locks (spinning; an unlock re-enabling interrupts is not here).
    {"schedule", P, B::sched_locks},
    {"__schedule", P, B::sched_locks},
    {"io_schedule", P, B::sched_locks},
    {"finish_task_switch", P, B::sched_locks},
    {"__switch_to", P, B::sched_locks},
    {"context_switch", X, B::sched_locks},
    {"pick_next", P, B::sched_locks},
    {"try_to_wake_up", X, B::sched_locks},
    {"wake_up", P, B::sched_locks},
    {"__wake_up", P, B::sched_locks},
    {"ttwu_", P, B::sched_locks},
    {"enqueue_task", P, B::sched_locks},
    {"dequeue_task", P, B::sched_locks},
    {"enqueue_entity", P, B::sched_locks},
    {"dequeue_entity", P, B::sched_locks},
    {"update_curr", P, B::sched_locks},
    {"update_load_avg", P, B::sched_locks},
    {"psi_", P, B::sched_locks},
    {"select_task_rq", P, B::sched_locks},
    {"set_next_entity", X, B::sched_locks},
    {"put_prev", P, B::sched_locks},
    {"sched_", P, B::sched_locks},
    {"update_rq_clock", P, B::sched_locks},
    {"_raw_spin_lock", P, B::sched_locks},
    {"_raw_spin_trylock", P, B::sched_locks},
    {"_raw_read_lock", P, B::sched_locks},
    {"_raw_write_lock", P, B::sched_locks},
    {"queued_spin_lock", P, B::sched_locks},
    {"native_queued_spin_lock", P, B::sched_locks},
    {"__pv_queued_spin", P, B::sched_locks},
    {"__raw_callee_save___pv_queued_spin", P, B::sched_locks},
    {"mutex_", P, B::sched_locks},
    {"__mutex_", P, B::sched_locks},
    {"rwsem", P, B::sched_locks},
    {"down_", P, B::sched_locks},
    {"up_read", X, B::sched_locks},
    {"up_write", X, B::sched_locks},
    {"lock_sock", P, B::sched_locks},
    {"sk_wait_data", X, B::sched_locks},
    {"sk_stream_wait_memory", X, B::sched_locks},
    {"wait_woken", X, B::sched_locks},
    {"woken_wake_function", X, B::sched_locks},
    {"autoremove_wake_function", X, B::sched_locks},
    {"prepare_to_wait", P, B::sched_locks},
    {"finish_wait", X, B::sched_locks},
    {"futex_", P, B::sched_locks},
    {"do_futex", X, B::sched_locks},
    // System call entry and exit, and copying the arguments (msghdr, iovec), not the payload.
    {"entry_SYSCALL", P, B::syscall},
    {"entry_SYSRET", P, B::syscall},
    {"do_syscall_64", X, B::syscall},
    {"syscall_exit", P, B::syscall},
    {"syscall_enter", P, B::syscall},
    {"syscall_return_via_sysret", X, B::syscall},
    {"exit_to_user_mode", P, B::syscall},
    {"arch_exit_to_user_mode", P, B::syscall},
    {"irqentry_exit_to_user_mode", P, B::syscall},
    {"__x64_sys_", P, B::syscall},
    {"__ia32_sys_", P, B::syscall},
    {"__se_sys_", P, B::syscall},
    {"__do_sys_", P, B::syscall},
    {"x64_sys_call", X, B::syscall},
    {"__sys_", P, B::syscall},
    {"___sys_", P, B::syscall},
    {"____sys_", P, B::syscall},
    {"fdget", P, B::syscall},
    {"__fget", P, B::syscall},
    {"__fdget", P, B::syscall},
    {"fput", X, B::syscall},
    {"sockfd_lookup_light", X, B::syscall},
    {"copy_msghdr_from_user", X, B::syscall},
    {"__copy_msghdr", P, B::syscall},
    {"copy_iovec_from_user", X, B::syscall},
    {"iovec_from_user", X, B::syscall},
    {"import_iovec", X, B::syscall},
    {"__import_iovec", X, B::syscall},
    {"_copy_from_user", X, B::syscall},
    {"_copy_to_user", X, B::syscall},
    {"move_addr_to_", P, B::syscall},
    {"put_cmsg", X, B::syscall},
    {"rseq_", P, B::syscall},
    {"__rseq", P, B::syscall},
    {"security_socket", P, B::syscall},
    {"__audit", P, B::syscall},
    // TCP/IP: sockets, TCP, IP, the device layer, skbs, the network softirqs.
    {"tcp_", P, B::tcp_ip},
    {"__tcp_", P, B::tcp_ip},
    {"tcp4_", P, B::tcp_ip},
    {"tcp6_", P, B::tcp_ip},
    {"inet_", P, B::tcp_ip},
    {"inet6_", P, B::tcp_ip},
    {"__inet", P, B::tcp_ip},
    {"ip_", P, B::tcp_ip},
    {"__ip_", P, B::tcp_ip},
    {"ipv4_", P, B::tcp_ip},
    {"ipv6_", P, B::tcp_ip},
    {"ip6_", P, B::tcp_ip},
    {"__ip6", P, B::tcp_ip},
    {"raw_local_deliver", X, B::tcp_ip},
    {"sk_", P, B::tcp_ip},
    {"__sk_", P, B::tcp_ip},
    {"sock_", P, B::tcp_ip},
    {"__sock_", P, B::tcp_ip},
    {"do_sock_", P, B::tcp_ip},
    {"release_sock", X, B::tcp_ip},
    {"__release_sock", X, B::tcp_ip},
    {"skb_", P, B::tcp_ip},
    {"__skb_", P, B::tcp_ip},
    {"kfree_skb", P, B::tcp_ip},
    {"__kfree_skb", P, B::tcp_ip},
    {"consume_skb", P, B::tcp_ip},
    {"__alloc_skb", P, B::tcp_ip},
    {"alloc_skb", P, B::tcp_ip},
    {"__build_skb", P, B::tcp_ip},
    {"build_skb", P, B::tcp_ip},
    {"kmalloc_reserve", P, B::tcp_ip},
    {"napi_", P, B::tcp_ip},
    {"__napi", P, B::tcp_ip},
    {"net_rx_action", X, B::tcp_ip},
    {"net_tx_action", X, B::tcp_ip},
    {"__netif_", P, B::tcp_ip},
    {"netif_", P, B::tcp_ip},
    {"process_backlog", X, B::tcp_ip},
    {"enqueue_to_backlog", X, B::tcp_ip},
    {"rps_", P, B::tcp_ip},
    {"__dev_queue_xmit", X, B::tcp_ip},
    {"dev_queue_xmit", P, B::tcp_ip},
    {"dev_hard_start_xmit", X, B::tcp_ip},
    {"sch_direct_xmit", X, B::tcp_ip},
    {"qdisc_", P, B::tcp_ip},
    {"__qdisc", P, B::tcp_ip},
    {"validate_xmit", P, B::tcp_ip},
    {"loopback_", P, B::tcp_ip},
    {"veth_", P, B::tcp_ip},
    {"eth_type_trans", X, B::tcp_ip},
    {"netdev_", P, B::tcp_ip},
    {"nf_", P, B::tcp_ip},
    {"ipt_", P, B::tcp_ip},
    {"dst_", P, B::tcp_ip},
    {"fib_", P, B::tcp_ip},
    {"neigh_", P, B::tcp_ip},
    {"__neigh", P, B::tcp_ip},
    {"csum_partial", P, B::tcp_ip},
    {"handle_softirqs", X, B::tcp_ip},
    {"__do_softirq", X, B::tcp_ip},
    {"do_softirq", P, B::tcp_ip},
};

bool matches(const Rule& r, std::string_view name) {
  return r.prefix ? name.substr(0, r.pattern.size()) == r.pattern : name == r.pattern;
}

}  // namespace

const std::array<BucketInfo, kBucketCount>& bucket_infos() {
  static constexpr std::array<BucketInfo, kBucketCount> infos = {{
      {B::copy_to_kernel, "copy_to_kernel", "user→kernel copy", true},
      {B::copy_to_user, "copy_to_user", "kernel→user copy", true},
      {B::copy_zc_deferred, "copy_zc_deferred", "zero-copy deferred copy", true},
      {B::copy_user_space, "copy_user_space", "user-space copy", true},
      {B::zc_bookkeeping, "zc_bookkeeping", "zero-copy bookkeeping", false},
      {B::tcp_ip, "tcp_ip", "TCP/IP stack", false},
      {B::syscall, "syscall", "syscall entry/exit", false},
      {B::sched_locks, "sched_locks", "scheduler and locks", false},
      {B::idle, "idle", "idle/halt", false},
      {B::user_space, "user_space", "user space", false},
      {B::other, "other", "other kernel", false},
  }};
  return infos;
}

std::optional<Bucket> kernel_function_bucket(std::string_view function) {
  for (const Rule& r : kRules)
    if (matches(r, function)) return r.bucket;
  return std::nullopt;
}

Bucket decide_bucket(const std::vector<std::optional<Bucket>>& frames, bool idle_task) {
  for (const auto& b : frames)
    if (b) return *b;
  return idle_task ? Bucket::idle : Bucket::other;
}

Bucket classify_kernel(const std::vector<std::string_view>& frames, bool idle_task) {
  std::vector<std::optional<Bucket>> buckets;
  for (std::string_view f : frames) buckets.push_back(f.empty() ? std::nullopt : kernel_function_bucket(f));
  return decide_bucket(buckets, idle_task);
}

Bucket classify_user(std::string_view function) {
  for (std::string_view copy : {"memcpy", "memmove", "mempcpy"})
    if (function.find(copy) != std::string_view::npos) return Bucket::copy_user_space;
  return Bucket::user_space;
}

}  // namespace copybench
