#include "cli/commands.h"

namespace copybench {

std::vector<std::unique_ptr<Command>> make_commands() {
  std::vector<std::unique_ptr<Command>> commands;
  for (auto* make :
       {make_run_command, make_client_command, make_server_command, make_sweep_command, make_report_command,
        make_compare_command, make_cleanup_command, make_completion_command, make_probe_command})
    commands.push_back(make());
  return commands;
}

}  // namespace copybench
