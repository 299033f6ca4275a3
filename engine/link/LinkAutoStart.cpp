// The process-start hook of the live link. A program linked against the engine publishes its
// live-link socket when POOLSCOPE_LISTEN=1 is in its environment, with no code of its own:
// this static initializer runs before main. The engine is a static library, whose objects the
// linker takes only when something refers to them; engine/CMakeLists.txt makes every program
// that links the engine refer to poolscope_link_autostart, so this object always comes along.
#include "link/LinkServer.h"

extern "C" {
// Referred to by the linker option --undefined, never called.
extern const int poolscope_link_autostart;
const int poolscope_link_autostart = 1;
}

namespace {

const bool g_started = [] {
    poolscope::LinkServer::startFromEnvironment();
    return true;
}();

}  // namespace
