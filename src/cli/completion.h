#pragma once
// Shell completion generated from the command line itself: the subcommands and options CLI11
// holds (each declared once, most from the parameter table) and the values of the registries
// (strategies, receive strategies, modes, pin modes, directions, topologies). The build runs
// `copybench completion bash` to write the installed script, so it cannot drift from --help.
#include <CLI/CLI.hpp>
#include <string>

namespace copybench {

/// A bash script defining `_copybench` and registering it with `complete -F` for copybench.
/// It needs nothing of the bash-completion package (COMP_WORDS and COMP_CWORD alone).
std::string bash_completion(const CLI::App& app);

}  // namespace copybench
