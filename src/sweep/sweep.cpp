#include "sweep/sweep.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/durable_file.h"
#include "core/error.h"
#include "core/units.h"
#include "core/version.h"
#include "machine/environment.h"
#include "machine/probe.h"
#include "net/netns.h"
#include "output/writers.h"
#include "params/param_table.h"
#include "report/compare.h"
#include "report/report.h"
#include "report/runs_table.h"
#include "results/result_json.h"
#include "sweep/progress.h"
#include "sweep/runner.h"

namespace copybench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Recorded {
  int order = 0;
  std::string point_id;
  int rep = 0;
  RunResult result;
};

// The folder's two running records, each safe from a crash or a full disk (core/durable_file):
// runs.csv gets a row per run as it ends, appended whole and fsynced; results.json is rewritten
// whole (temporary file, fsync, rename, fsync of the folder) so it is never half-written. A
// write that fails throws and ends the sweep with what was recorded before.
class SweepFolder {
 public:
  SweepFolder(std::string dir, const SweepPlan& plan) : dir_(std::move(dir)), plan_(plan) {}

  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  void start(json environment, std::string topology, std::vector<Recorded> kept) {
    environment_ = std::move(environment);
    topology_ = std::move(topology);
    runs_ = std::move(kept);
    remove_leftovers();
    std::string csv = fmt::format("{},{}\n", fmt::join(kSweepColumns, ","), csv_header());
    for (const auto& r : runs_) csv += row(r) + '\n';
    replace_file_durably(path("runs.csv"), csv);
    save_json();
  }

  // results.json first: it is the larger write, so a full disk most often stops there, with
  // neither file holding the run; --resume takes the runs from results.json.
  void add(Recorded r) {
    runs_.push_back(std::move(r));
    try {
      save_json();
    } catch (const Error&) {
      runs_.pop_back();
      throw;
    }
    append_durably(path("runs.csv"), row(runs_.back()) + '\n');
  }

  /// Where one run's client writes its results: a name of its own (the run's place in the
  /// order and this process), so that nothing a killed sweep left can pass for this run's.
  std::string run_json_path(int order) const { return path(fmt::format(".run-{}-{}.json", order, ::getpid())); }
  // sweep --json-stream: each run's JSON Lines, kept (json-stream/run-ORDER.jsonl).
  std::string json_stream_path(int order) const {
    std::error_code ignored;
    fs::create_directories(path("json-stream"), ignored);  // a failure shows as the run's own
    return path(fmt::format("json-stream/run-{}.jsonl", order));
  }

  const std::vector<Recorded>& runs() const { return runs_; }

 private:
  std::string row(const Recorded& r) const {
    return fmt::format("{},{},{},{},{},{}", r.order, csv_quote(r.point_id), r.rep, topology_name(plan_.topology.kind),
                       plan_.seed, csv_row(r.result));
  }

  void save_json() const {
    json runs = json::array();
    for (const auto& r : runs_)
      runs.push_back({{"run_order", r.order}, {"point", r.point_id}, {"rep", r.rep}, {"result", to_json(r.result)}});
    json doc = {{"kind", "copybench sweep"}, {"copybench_version", kVersion}, {"plan", to_json(plan_)},
                {"topology", topology_},     {"environment", environment_},   {"runs", runs}};
    replace_file_durably(path("results.json"), doc.dump(1) + '\n');
  }

  // A killed sweep's run file or temporary file (.run-*.json, .NAME.tmp-PID): never a result.
  void remove_leftovers() const {
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir_, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      auto name = it->path().filename().string();
      if (name.starts_with(".run-") || (name.starts_with('.') && name.find(".tmp-") != std::string::npos))
        fs::remove(it->path(), ec);
    }
  }

  std::string dir_;
  const SweepPlan& plan_;
  json environment_;
  std::string topology_;
  std::vector<Recorded> runs_;
};

std::string default_out_dir() {
  auto stamp = utc_timestamp();  // 2026-11-25T11:22:33Z
  std::erase(stamp, ':');
  return "results/" + stamp;
}

std::vector<std::string> client_args(const TestParams& p, const std::string& json_path,
                                     const std::string& json_stream_path) {
  auto a = params_to_args(p);
  a.insert(a.end(), {"--json", json_path, "--quiet"});
  if (!json_stream_path.empty()) a.insert(a.end(), {"--json-stream", json_stream_path});
  return a;
}

RunResult failed_run(const TestParams& p, const std::string& why) {
  RunResult r;
  r.status = RunStatus::failed;
  r.error = why;
  r.started_at = utc_timestamp();
  r.params = p;
  r.sender_missing_reason = why;
  r.receiver_env = collect_environment();
  return r;
}

// One run: the client writes its results as JSON; a client that never got that far leaves
// the reason in its exit code. A run cut short by a signal is "interrupted" (resume reruns it).
RunResult run_one(const PlannedRun& run, const Placement& where, const std::string& json_path,
                  const std::string& json_stream_path, const std::atomic<int>& signal) {
  std::error_code ignored;
  fs::remove(json_path, ignored);
  int code = 0;
  std::string trouble;  // the runner's own failure (e.g. the server exited badly after the test)
  try {
    code = run_pair(where, run.params, client_args(run.params, json_path, json_stream_path), signal);
  } catch (const Error& e) {
    trouble = e.what();
  }
  RunResult result;
  std::ifstream in(json_path);
  if (!in) {
    result = failed_run(run.params, !trouble.empty()
                                        ? trouble
                                        : fmt::format("the client exited with code {} without writing results", code));
  } else {
    try {
      result = run_result_from_json(json::parse(in));
    } catch (const std::exception& e) {
      result = failed_run(run.params, fmt::format("the client's results could not be read: {}", e.what()));
    }
    fs::remove(json_path, ignored);
    if (!trouble.empty() && result.status == RunStatus::ok) {
      result.status = RunStatus::failed;
      result.error = trouble;
    }
  }
  if (signal.load() != 0 && result.status != RunStatus::ok) result.status = RunStatus::interrupted;
  return result;
}

// The saved plan, rebuilt, must be the one the saved runs belong to: a run is matched by its
// position in the order and must name the same point and repetition, with the same parameters.
// `option` (--resume, --compare-to) names what asked for the plan in the errors.
SweepPlan load_plan(const std::string& dir, std::vector<Recorded>& kept, std::string_view option = "--resume") {
  const std::string file = dir + "/results.json";
  std::ifstream in(file);
  if (!in) throw Error(fmt::format("{}: not found; {} needs the folder of a sweep", file, option));
  try {
    auto doc = json::parse(in);
    auto plan = plan_from_json(doc.at("plan"));
    std::vector<bool> seen(plan.runs.size() + 1, false);
    for (const auto& r : doc.at("runs")) {
      int order = r.at("run_order").get<int>();
      auto point = r.at("point").get<std::string>();
      int rep = r.at("rep").get<int>();
      auto result = run_result_from_json(r.at("result"));
      if (order < 1 || order > static_cast<int>(plan.runs.size()) || seen[order] ||
          !belongs(plan.runs[order - 1], point, rep, result.params))
        throw Error(fmt::format("run {} ({} rep {}) does not belong to the saved plan (another copybench version?)",
                                order, point, rep));
      seen[order] = true;
      if (result.status == RunStatus::interrupted) continue;  // cut short: run it again
      kept.push_back({order, point, rep, std::move(result)});
    }
    return plan;
  } catch (const std::exception& e) {
    throw Error(fmt::format("{}: cannot {}: {}", file, option == "--resume" ? "resume" : "read its plan", e.what()));
  }
}

// --resume rewrites runs.csv from results.json, which is replaced whole and so never torn; a
// torn last row of the old runs.csv (a crash or a full disk mid-row) is only worth a warning.
void warn_of_torn_row(const std::string& dir) {
  try {
    auto torn = report::RunsTable::read(dir + "/runs.csv").torn_row();
    if (!torn.empty()) fmt::print(stderr, "copybench: warning: {}; runs.csv is rewritten from results.json\n", torn);
  } catch (const Error&) {
    // Unreadable otherwise: rewritten all the same, and results.json is what --resume trusts.
  }
}

int exit_code(const std::vector<Recorded>& runs, bool interrupted) {
  if (interrupted) return 130;
  bool any_ok =
      std::any_of(runs.begin(), runs.end(), [](const Recorded& r) { return r.result.status == RunStatus::ok; });
  return any_ok || runs.empty() ? 0 : 1;
}

// As root, namespaces of copybench processes that died are removed first.
void remove_stale_namespaces(Progress& progress) {
  if (!has_netns_privileges() || !ip_command()) return;
  try {
    for (const auto& name : cleanup_stale_namespaces())
      progress.note(fmt::format("removed namespace {} left by a killed run", name));
  } catch (const Error& e) {
    progress.note(fmt::format("copybench sweep: leftover namespaces: {}", e.what()));
  }
}

// Each run of the plan not yet recorded, in plan order; returns whether a signal ended the loop.
bool run_left(const SweepPlan& plan, const Topology& topology, SweepFolder& folder, Progress& progress,
              bool json_stream, const std::atomic<int>& signal) {
  for (const auto& run : plan.runs) {
    const auto& done = folder.runs();
    if (std::any_of(done.begin(), done.end(), [&](const Recorded& r) { return r.order == run.order; })) continue;
    if (signal.load() != 0) return true;
    progress.begin(run, done.size());
    auto result = run_one(run, topology.placement(), folder.run_json_path(run.order),
                          json_stream ? folder.json_stream_path(run.order) : std::string(), signal);
    progress.end(run, result, done.size() + 1);
    folder.add({run.order, run.point_id, run.rep, std::move(result)});
    if (signal.load() != 0) return true;
  }
  return false;
}

// --compare-to: the earlier sweep against this one, written next to this one's report. A
// comparison that cannot be made (no ok run here) is a note: the sweep's runs stand.
void compare_with(const std::string& earlier, const std::string& dir, Progress& progress) {
  try {
    report::CompareRequest request;
    request.inputs = {earlier, dir};
    request.out_dir = dir;
    auto outcome = report::run_compare(request);
    for (const auto& w : outcome.warnings) progress.note("copybench sweep: " + w);
    if (!outcome.note.empty()) progress.note(outcome.note);
    progress.note(fmt::format("copybench sweep: compared with {}: {} cells, {} significant changes; {}/compare.md",
                              earlier, outcome.cells, outcome.significant, dir));
  } catch (const Error& e) {
    fmt::print(stderr, "copybench sweep: the comparison with {} could not be made: {}\n", earlier, e.what());
  }
}

}  // namespace

int run_sweep(const SweepOptions& options, const std::atomic<int>& signal) {
  std::vector<Recorded> kept;
  const bool resuming = !options.resume_dir.empty();
  const std::string dir = resuming ? options.resume_dir : options.out_dir.empty() ? default_out_dir() : options.out_dir;
  SweepPlan plan = resuming ? load_plan(dir, kept) : make_plan(options.grid, options.topology, options.seed);
  if (!options.compare_to_dir.empty()) {
    std::vector<Recorded> earlier;  // its runs are compare's to read; the plan is what is run again
    plan = load_plan(options.compare_to_dir, earlier, "--compare-to");
  }
  if (!options.secret_file.empty()) plan.topology.secret_file = options.secret_file;
  if (!resuming && fs::exists(dir + "/runs.csv"))
    throw UsageError(fmt::format("{} already holds a sweep: use --resume {} or another --out", dir, dir));

  Progress progress(Progress::style_for(options.quiet), plan.runs.size(), estimated_ns(plan, 1));
  remove_stale_namespaces(progress);
  Topology topology(plan.topology);  // before the folder: a refused topology leaves nothing behind
  std::error_code made;
  fs::create_directories(dir, made);
  if (made) throw Error(fmt::format("creating {}: {}", dir, made.message()));
  SweepFolder folder(dir, plan);
  if (resuming) warn_of_torn_row(dir);
  folder.start(probe_json(run_probe()), topology.describe(), std::move(kept));
  progress.note(fmt::format("copybench sweep: {} runs ({} left), {}; about {}; writing to {}", plan.runs.size(),
                            plan.runs.size() - folder.runs().size(), topology.describe(),
                            format_duration(estimated_ns(plan, plan.runs.size() - folder.runs().size())), dir));

  const bool interrupted = run_left(plan, topology, folder, progress, options.json_stream, signal);
  progress.finish();

  auto failed = std::count_if(folder.runs().begin(), folder.runs().end(),
                              [](const Recorded& r) { return r.result.status != RunStatus::ok; });
  try {
    auto outcome = write_report(dir);
    if (!outcome.warning.empty()) progress.note("copybench sweep: " + outcome.warning);
    if (!outcome.note.empty()) progress.note(outcome.note);
  } catch (const Error& e) {
    fmt::print(stderr, "copybench sweep: the report could not be written: {}\n", e.what());
  }
  if (!options.compare_to_dir.empty()) compare_with(options.compare_to_dir, dir, progress);
  if (!options.quiet)
    fmt::print(stderr,
               "copybench sweep: {} of {} runs recorded, {} failed{}; results in {}/ (runs.csv, summary.csv, "
               "results.json, report.md, plots/)\n",
               folder.runs().size(), plan.runs.size(), failed,
               interrupted ? fmt::format("; interrupted: finish with copybench sweep --resume {}", dir) : "", dir);
  return exit_code(folder.runs(), interrupted);
}

}  // namespace copybench
