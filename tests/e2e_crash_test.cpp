// Crashes and full disks: a SIGKILLed sweep or `run` leaves no client or server running; a
// runs.csv cut mid-row is read up to its last whole row; a full disk ends a sweep with one
// line and keeps what was recorded, and never tears a --json file. The full-disk tests mount
// a small tmpfs of their own (root only; they skip with the reason otherwise).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "e2e_util.h"
#include "report/runs_table.h"

using namespace copybench;
using namespace copybench::test;
namespace fs = std::filesystem;

namespace {

std::string cmdline_of(pid_t pid) {
  auto text = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

// The server and client processes of `parent`'s current test, once both run (30 s at most).
std::vector<pid_t> server_and_client_of(pid_t parent) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto children = children_of(parent);
    int server = 0, client = 0;
    for (pid_t c : children) {
      auto cmd = cmdline_of(c);
      server += cmd.find(" server ") != std::string::npos;
      client += cmd.find(" client ") != std::string::npos;
    }
    if (server == 1 && client == 1 && children.size() == 2) return children;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "the test's server and client did not both start";
  return {};
}

// SIGKILL: no destructor, no handler runs; only the kernel can end the children now, at once
// (their tests would last seconds more).
void kill_and_expect_no_orphans(Child& parent) {
  auto children = server_and_client_of(parent.pid());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // mid-test
  parent.signal(SIGKILL);
  EXPECT_EQ(parent.wait_for(5000), 128 + SIGKILL);
  for (pid_t child : children) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (alive(child) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_FALSE(alive(child)) << "orphan left running: " << child << " " << cmdline_of(child);
  }
}

std::vector<std::string> hidden_files(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().starts_with('.')) names.push_back(entry.path().filename().string());
  return names;
}

const char* kSweep = "sweep --topology loopback --threads 1 --warmup 0 --seed 4 --quiet";

// A tmpfs of `size` mounted on a fresh folder for the test, unmounted at its end.
class SmallDisk {
  TempDir dir_;  // first: made before the mount on it, removed after

 public:
  explicit SmallDisk(const std::string& size) : path(dir_.file("disk")) {
    fs::create_directory(path);
    if (::mount("tmpfs", path.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0) skip_reason = std::strerror(errno);
    else mounted_ = true;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path.c_str(), MNT_DETACH);
  }
  /// Lets the disk grow (a full disk the user has made room on).
  void resize(const std::string& size) {
    ASSERT_EQ(::mount("tmpfs", path.c_str(), "tmpfs", MS_REMOUNT, ("size=" + size).c_str()), 0) << std::strerror(errno);
  }
  std::string file(const std::string& name) const { return path + "/" + name; }

  std::string path;
  std::string skip_reason;  // why the tmpfs could not be mounted; "" when it is

 private:
  bool mounted_ = false;
};

// Fills the disk to its last byte.
void fill(const SmallDisk& disk) {
  std::vector<char> block(4096, 'f');
  int fd = ::open(disk.file("filler").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  while (::write(fd, block.data(), block.size()) > 0) {
  }
  while (::write(fd, block.data(), 1) > 0) {
  }
  ::close(fd);
}

}  // namespace

TEST(Crash, SigkilledSweepLeavesNoClientOrServerAndResumesClean) {
  TempDir dir;
  Child sweep({COPYBENCH_BIN, "sweep",     "--topology", "loopback",   "--strategies", "one-copy", "--sizes",
               "1K",          "--threads", "1",          "--duration", "4s",           "--warmup", "0",
               "--reps",      "1",         "--seed",     "4",          "--quiet",      "--out",    dir.file("out")});
  kill_and_expect_no_orphans(sweep);

  auto r = run_copybench("sweep --quiet --resume " + dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_json(dir.file("out/results.json"))["runs"].size(), 1u);
  EXPECT_EQ(hidden_files(dir.file("out")), std::vector<std::string>{}) << "no run file or temporary file is left";
}

TEST(Crash, SigkilledRunLeavesNoClientOrServer) {
  Child run({COPYBENCH_BIN, "run", "--size", "4K", "--warmup", "0", "--duration", "20s", "--no-counters", "--quiet"});
  kill_and_expect_no_orphans(run);
}

TEST(Crash, TornLastRowIsSkippedWithOneWarningByReportAndResume) {
  TempDir dir;
  const std::string out = dir.file("out");
  auto r = run_copybench(std::string(kSweep) +
                         " --strategies one-copy --sizes 1K,4K,16K --reps 1 --duration 50ms --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string csv_path = out + "/runs.csv", whole = read_text(csv_path);
  auto last_row = whole.rfind('\n', whole.size() - 2) + 1;
  auto tear = [&] {
    fs::resize_file(csv_path, last_row + (whole.size() - last_row) / 2);
  };  // mid-row, as a crash leaves it

  tear();
  auto report = run_copybench("report " + out + " 2>" + dir.file("err"));
  EXPECT_EQ(report.exit_code, 0) << report.output << read_text(dir.file("err"));
  EXPECT_NE(report.output.find("2 runs, 0 failed"), std::string::npos) << report.output;
  auto warning = lines_of(read_text(dir.file("err")));
  ASSERT_EQ(warning.size(), 1u) << read_text(dir.file("err"));
  EXPECT_EQ(warning[0].rfind("copybench: warning: " + csv_path + " line 4: skipped a torn last row (no line end)", 0),
            0u)
      << warning[0];

  tear();
  auto resumed = run_copybench("sweep --quiet --resume " + out + " 2>" + dir.file("err"));
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output << read_text(dir.file("err"));
  warning = lines_of(read_text(dir.file("err")));
  ASSERT_EQ(warning.size(), 1u) << read_text(dir.file("err"));
  EXPECT_NE(warning[0].find("skipped a torn last row"), std::string::npos) << warning[0];
  EXPECT_NE(warning[0].find("runs.csv is rewritten from results.json"), std::string::npos) << warning[0];
  EXPECT_EQ(read_text(csv_path), whole) << "every run's row is back, whole";
}

TEST(Crash, FullDiskEndsTheSweepWithOneLineKeepsWhatWasRecordedAndResumes) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  SmallDisk disk("512k");  // a run's result is some 70 KiB: full after a few of 16 runs
  if (!disk.skip_reason.empty()) GTEST_SKIP() << "mounting a tmpfs was refused: " << disk.skip_reason;
  const std::string out = disk.file("out");
  auto r = run_copybench(std::string(kSweep) +
                         " --strategies one-copy,two-copy --sizes 1K,2K,4K,8K --reps 2 "
                         "--duration 50ms --out " +
                         out + " 2>" + disk.file("err"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto err = read_text(disk.file("err"));
  auto lines = lines_of(err);
  ASSERT_EQ(lines.size(), 1u) << err;
  EXPECT_EQ(lines[0].rfind("copybench: error: write " + out + "/", 0), 0u) << err;
  EXPECT_TRUE(lines[0].ends_with(": No space left on device")) << err;

  // What was recorded is whole: rows end where a row ends, the JSON parses, the two agree.
  auto table = report::RunsTable::read(out + "/runs.csv");
  EXPECT_EQ(table.torn_row(), "");
  auto runs = read_json(out + "/results.json")["runs"].size();
  EXPECT_GE(table.size(), 1u);
  EXPECT_LT(table.size(), 16u);
  EXPECT_TRUE(runs == table.size() || runs == table.size() + 1)
      << runs << " in results.json, " << table.size() << " rows";
  EXPECT_EQ(hidden_files(out), std::vector<std::string>{}) << "temporary files are removed, their space given back";

  disk.resize("16m");
  auto resumed = run_copybench("sweep --quiet --resume " + out);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(report::RunsTable::read(out + "/runs.csv").size(), 16u);
}

TEST(Crash, JsonOnAFullDiskKeepsTheFileItWouldReplace) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  SmallDisk disk("64k");
  if (!disk.skip_reason.empty()) GTEST_SKIP() << "mounting a tmpfs was refused: " << disk.skip_reason;
  std::ofstream(disk.file("r.json")) << "{\"earlier\": true}\n";
  fill(disk);
  auto r =
      run_copybench("run --size 1K --warmup 0 --duration 50ms --no-counters --quiet --json " + disk.file("r.json"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.output, "copybench: error: write " + disk.file("r.json") + ": No space left on device\n");
  EXPECT_EQ(read_text(disk.file("r.json")), "{\"earlier\": true}\n") << "the old file, whole";
  EXPECT_EQ(hidden_files(disk.path), std::vector<std::string>{});
}
