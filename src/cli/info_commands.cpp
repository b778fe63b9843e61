// `probe` (what this machine supports) and the hidden `completion` (the build's bash script).
#include <iostream>

#include "cli/commands.h"
#include "cli/completion.h"
#include "machine/probe.h"

namespace copybench {
namespace {

class CompletionCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    app_ = &app;
    // For the build, which writes the installed completion script with it.
    auto* cmd = app.add_subcommand("completion", "print the shell completion script")->group("");
    cmd->add_option("shell", shell_, "bash")->required()->check(CLI::IsMember({"bash"}));
    return cmd;
  }
  int run(const Invocation&) override {
    std::cout << bash_completion(*app_);
    return 0;
  }

 private:
  const CLI::App* app_ = nullptr;  // the whole command line, walked for its options
  std::string shell_;
};

class ProbeCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand("probe", "show what this machine supports (zero-copy, io_uring, perf events, ...)");
    cmd->add_flag("--json", json_, "print JSON");
    return cmd;
  }
  int run(const Invocation&) override {
    auto items = run_probe();
    if (json_) std::cout << probe_json(items).dump(2) << "\n";
    else std::cout << "copybench probe: what this machine supports\n" << render_probe(items);
    return 0;
  }

 private:
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_completion_command() { return std::make_unique<CompletionCommand>(); }
std::unique_ptr<Command> make_probe_command() { return std::make_unique<ProbeCommand>(); }

}  // namespace copybench
