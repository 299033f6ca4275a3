#pragma once

namespace poolscope::preload {

// Handlers for the fatal signals (SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL): the records
// buffered up to the crash and a Crash record leave before the program dies. A handler that was
// installed before ours is called after; without one the signal is raised again with its
// default action, so the program dies (and dumps core) as it would have.
class CrashHandler {
public:
    static void install();
};

}  // namespace poolscope::preload
