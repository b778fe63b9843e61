#include "report/gnuplot.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "report/report.h"

namespace copybench::report {
namespace {

std::string value(double v) { return fmt::format("{:.9g}", v); }

// Explicit x range and tics from the measured values: gnuplot's own tics on a log2 axis would
// read 1024, 2048, ... and a single measured value would leave an empty range.
std::string x_axis(const Figure& f) {
  std::vector<double> xs;
  for (const auto& p : f.panels)
    for (const auto& s : p.series)
      for (const auto& pt : s.points) xs.push_back(pt.x);
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  if (xs.empty()) return "";
  std::string tics;
  for (double x : xs) {
    std::string label = f.x_is_size ? short_size(static_cast<uint64_t>(x)) : value(x);
    tics += fmt::format("{}{} {}", tics.empty() ? "" : ", ", gnuplot_quoted(label), value(x));
  }
  return fmt::format("set logscale x 2\nset xrange [{}:{}]\nset xtics ({})\n", value(xs.front() / 1.5),
                     value(xs.back() * 1.5), tics);
}

std::string body(const Figure& f) {
  int columns = f.panels.size() > 1 ? 2 : 1;
  int rows = static_cast<int>((f.panels.size() + columns - 1) / columns);
  std::string out = fmt::format("set multiplot layout {},{} title {}\n", rows, columns, gnuplot_quoted(f.title));
  out += fmt::format("set grid\nset key below\nset xlabel {}\nset ylabel {}\n", gnuplot_quoted(f.xlabel),
                     gnuplot_quoted(f.ylabel));
  out += x_axis(f);
  out += f.y_from_zero ? "set yrange [0:*]\n" : "set autoscale y\n";
  out += "set offsets 0, 0, graph 0.08, 0\n";  // headroom: a line at the maximum stays visible
  int index = 0;
  for (const auto& panel : f.panels) {
    out += fmt::format("set title {}\nplot", gnuplot_quoted(panel.title));
    for (size_t i = 0; i < panel.series.size(); ++i) {
      const auto& s = panel.series[i];
      out += fmt::format("{} '{}.dat' index {} using 1:2:3:4 with yerrorlines lc {} pt {} dt {} lw 1.5 title {}",
                         i ? ", \\\n    " : " ", f.stem, index++, s.color, s.color + 4, s.dashed ? 2 : 1,
                         gnuplot_quoted(s.label));
    }
    out += "\n";
  }
  return out + "unset multiplot\n";
}

std::string read_head(const std::string& path, size_t max_chars) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  auto s = text.str();
  if (s.size() > max_chars) s = s.substr(0, max_chars) + "...";
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

bool non_empty_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  return in && in.tellg() > 0;
}

}  // namespace

std::string gnuplot_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string find_gnuplot() {
  const char* env = std::getenv("PATH");
  std::string path = env ? env : "/usr/local/bin:/usr/bin:/bin";
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/gnuplot";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string figure_data(const Figure& f) {
  std::string out = fmt::format("# {}\n# columns: x, median, bar low, bar high\n", f.title);
  bool first = true;
  for (const auto& panel : f.panels) {
    for (const auto& s : panel.series) {
      out += fmt::format("{}# panel: {}; series: {}\n", first ? "" : "\n\n", panel.title, s.label);
      first = false;
      for (const auto& p : s.points)
        out += fmt::format("{} {} {} {}\n", value(p.x), value(p.y), value(p.low), value(p.high));
    }
  }
  return out;
}

std::string figure_script(const Figure& f) {
  int columns = f.panels.size() > 1 ? 2 : 1;
  int rows = static_cast<int>((f.panels.size() + columns - 1) / columns);
  int width = columns == 1 ? 800 : 1200, height = rows == 1 ? 560 : 460 * rows + 40;
  std::string out = fmt::format(
      "# Drawn by copybench report from {}.dat (taken from ../summary.csv).\n"
      "# Redraw: cd plots && gnuplot {}.gp\n",
      f.stem, f.stem);
  out += fmt::format("set terminal pngcairo noenhanced size {},{} font \",10\"\nset output '{}.png'\n", width, height,
                     f.stem);
  out += body(f);
  out += fmt::format(
      "set output\nset terminal svg noenhanced size {},{} font \"sans,10\" background \"white\"\n"
      "set output '{}.svg'\n",
      width, height, f.stem);
  out += body(f);
  return out + "set output\n";
}

std::string run_gnuplot(const std::string& gnuplot, const std::string& dir, const std::string& stem) {
  // Everything the child needs is prepared before fork: between fork and exec only
  // async-signal-safe calls (chdir, open, dup2, execv, _exit) are allowed.
  std::string script = stem + ".gp", log = stem + ".log";
  std::string name = "gnuplot";
  char* argv[] = {name.data(), script.data(), nullptr};
  pid_t pid = ::fork();
  if (pid < 0) throw_sys("fork for gnuplot", errno);
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out < 0 || in < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execv(gnuplot.c_str(), argv);
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw_sys("wait for gnuplot", errno);
  std::string log_path = dir + "/" + log;
  std::string said = read_head(log_path, 400);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string how = WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status))
                                        : fmt::format("signal {}", WTERMSIG(status));
    return fmt::format("gnuplot {} failed ({}){}{}", script, how, said.empty() ? "" : ": ", said);
  }
  for (const char* ext : {".png", ".svg"})
    if (!non_empty_file(dir + "/" + stem + ext)) return fmt::format("gnuplot {} wrote no {}{}", script, stem, ext);
  ::unlink(log_path.c_str());  // warnings only; the figure is there
  return "";
}

std::string start_plots(const std::string& plots_dir, bool anything_to_draw, PlotsOutcome& outcome) {
  std::error_code ec;
  std::filesystem::create_directories(plots_dir, ec);
  if (ec) throw Error(fmt::format("create {}: {}", plots_dir, ec.message()));
  std::string gnuplot = find_gnuplot();
  if (gnuplot.empty() && anything_to_draw)
    outcome.note = "gnuplot not found: apt-get install gnuplot-nox, then copybench report DIR";
  return gnuplot;
}

bool draw_plot(const std::string& gnuplot, const std::string& plots_dir, PlotEntry entry, const std::string& data,
               const std::string& script, PlotsOutcome& outcome) {
  const std::string base = plots_dir + "/" + entry.stem;
  write_text_file(base + ".dat", data, &outcome.files_written);
  write_text_file(base + ".gp", script, &outcome.files_written);
  bool drawn = true;
  if (gnuplot.empty()) {
    entry.skipped = "gnuplot is not installed; the data and script are in plots/" + entry.stem + ".{dat,gp}";
  } else if (auto failure = run_gnuplot(gnuplot, plots_dir, entry.stem); !failure.empty()) {
    entry.failed = failure;
    drawn = false;
  } else {
    entry.rendered = true;
    outcome.files_written.push_back(base + ".png");
    outcome.files_written.push_back(base + ".svg");
  }
  outcome.entries.push_back(std::move(entry));
  return drawn;
}

}  // namespace copybench::report
