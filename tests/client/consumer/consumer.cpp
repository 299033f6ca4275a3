// Uses the engine's C++ API and the memory-testing API from the installed headers; exits 0
// when a clean run passes the check and a kept image fails it with its stack.
#include <poolscope/LeakCheckpoint.h>
#include <poolscope/imaging/Image.h>
#include <poolscope/imaging/Rgba32.h>
#include <poolscope/poolscope.h>

#include <cstdio>
#include <memory>

int main() {
    const poolscope::LeakCheckpoint checkpoint;
    { const poolscope::Image<poolscope::Rgba32> dropped(640, 480); }
    if (!checkpoint.check().passed()) {
        std::fprintf(stderr, "a clean run failed the check:\n%s",
                     checkpoint.check().message.c_str());
        return 1;
    }
    const auto kept = std::make_unique<poolscope::Image<poolscope::Rgba32>>(640, 480);
    const poolscope::LeakCheckResult result = checkpoint.check();
    if (result.passed() || result.message.find("  at ") == std::string::npos) {
        std::fprintf(stderr, "a kept image passed the check or has no stack:\n%s",
                     result.message.c_str());
        return 1;
    }
    std::printf("consumer: the installed package works\n");
    return 0;
}
