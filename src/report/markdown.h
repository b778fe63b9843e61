#pragma once
// report.md: the sweep's environment, grid and runs, the study's questions answered from the
// summary, the plots and the summary table. Words only; the numbers come from answers.h and
// summary.h.
#include <string>

#include "report/plots.h"
#include "report/runs_table.h"
#include "report/summary.h"

namespace copybench::report {

/// The whole of report.md. Deterministic: the same inputs give the same text.
std::string render_markdown(const RunsTable& runs, const Summary& summary, const PlotsOutcome& plots);

/// The "Answers" section alone (crossovers, best thread counts, zero-copy copied share, rr
/// latency), each answer naming the figure and summary.csv columns it comes from.
std::string render_answers(const Summary& summary);

/// "Is it only two copies?", "Which components copy?" and the copies-per-message table, from
/// the --profile figures (copies_text.cpp); one line saying how to get them when none.
std::string render_copies_answers(const Summary& summary);

}  // namespace copybench::report
