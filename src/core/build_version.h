#pragma once
namespace copybench {

/// What `--version` prints: the project version and, built from a git checkout, the checkout's
/// `git describe --tags --always --dirty` at build time ("0.1.0 (git 11e2da7-dirty)"). Defined
/// in a file the build writes (cmake/build_version.cmake), linked into the executable alone, so
/// a new commit relinks copybench and nothing else.
const char* build_version();

}  // namespace copybench
