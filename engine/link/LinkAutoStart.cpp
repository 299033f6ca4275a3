// The process-start hook of the live link. A program linked against the engine publishes its
// live-link socket when POOLSCOPE_LISTEN=1 is in its environment, with no code of its own:
// this static initializer runs when the shared engine library is loaded, before main.
#include "link/LinkServer.h"

namespace {

const bool g_started = [] {
    poolscope::LinkServer::startFromEnvironment();
    return true;
}();

}  // namespace
