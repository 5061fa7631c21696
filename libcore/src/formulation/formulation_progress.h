// How far a formulation has come, reported to the request's progress callback.
#pragma once

#include <algorithm>
#include <functional>
#include <limits>

#include "pigmatch/error.h"

namespace pigmatch::formulation {

// The request's progress callback, called each time the work done has grown by a 256th of the
// planned work: often enough for a progress bar and a prompt Cancel, rarely enough to cost
// nothing beside the model evaluations in between. The plan counts one unit per subset
// optimised, per parent screened and per candidate quantised; the top level's optimisations
// are planned at screen_minimum, and the fraction is clamped to stay monotone when the search
// does more or less than planned.
class WorkProgress {
 public:
  explicit WorkProgress(const std::function<bool(double)>& callback) : callback_(callback) {}

  void plan(double units) {
    total_ += units;
    next_ = callback_ ? total_ / steps : std::numeric_limits<double>::infinity();
  }
  void advance(double units = 1) {
    done_ += units;
    if (done_ >= next_)
      report(std::min(done_ / total_, almost_done));
  }
  // The work up to `units` is done (a search that stopped before its plan).
  void reach(double units) { advance(std::max(0.0, units - done_)); }
  void finish() {
    if (callback_)
      report(1.0);
  }

 private:
  static constexpr double steps = 256;
  static constexpr double almost_done = 0.999;

  void report(double fraction) {
    last_ = std::max(last_, fraction);
    next_ = done_ + total_ / steps;
    if (!callback_(last_))
      throw Error(ErrorCode::cancelled, "the formulation was cancelled before it finished");
  }

  const std::function<bool(double)>& callback_;
  double total_ = 0, done_ = 0, last_ = 0;
  double next_ = std::numeric_limits<double>::infinity();
};

}  // namespace pigmatch::formulation
