#pragma once
// Files that survive a crash or a full disk: a reader (or the next run) finds either the old
// content or the new, never half of it. See docs/RELIABILITY.md, "Crashes, full disks and
// hostile servers".
#include <string>
#include <string_view>

namespace copybench {

/// Replaces `path` with `text`: written to a temporary file in the same directory, fsynced,
/// renamed over `path`, then the directory fsynced (rename(2) is atomic only within one file
/// system; the directory's fsync makes the new name itself durable). On failure the temporary
/// file is removed, `path` keeps its old content, and Error says "write PATH: <errno text>".
void replace_file_durably(const std::string& path, std::string_view text);

/// Appends `bytes` (whole rows) to `path`, created if missing, with one write(2), then fsyncs.
/// A write cut short (a full disk) is undone with ftruncate, so the file ends at a row's end
/// as before; Error says "write PATH: <errno text>".
void append_durably(const std::string& path, std::string_view bytes);

}  // namespace copybench
