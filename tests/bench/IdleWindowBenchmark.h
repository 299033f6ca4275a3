#pragma once

namespace poolscope::bench {

// Part (c) of the UI suite: prints the idle window's CPU as a FIGURE and a RATIO against the
// 1% target. Needs the QApplication made.
void measureIdleWindow();

}  // namespace poolscope::bench
