#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "diagnostics/Frame.h"
#include "native/LeakSuppressions.h"
#include "scenarios/ScenarioRunner.h"

namespace poolscope {

// What a launched program left behind, sorted for a person: its own leaks; what the C and C++
// runtimes (libc, libstdc++, the dynamic loader) allocate once and keep for the life of the
// process, shown apart and never blamed on the program; and what the person's suppressions hide.
struct NativeLeaks {
    std::vector<LeakRecord> own;
    std::vector<LeakRecord> runtimeOwned;
    struct Suppressed {
        LeakRecord leak;
        std::string pattern;  // the suppression that matched
    };
    std::vector<Suppressed> suppressed;
};

// Tells the program's leaks from the runtime's. An item is the runtime's when, from the innermost
// frame out, a function the runtime keeps what it allocates for (stdio buffers, locale data, the
// loader's and thread-local data, the time zone, the emergency exception pool, ...) comes before
// any frame of the program's own modules, or when no frame lies in the program's modules at all.
// A stack with no frames at all is the program's: nothing shows it is not.
class NativeLeakClassifier {
public:
    // A module of the runtime, by its path: libc, libstdc++, libgcc_s, libm, ld.so, ...; the
    // interposer's own counts as one.
    static bool isRuntimeModule(std::string_view modulePath);
    static bool isKeptForever(std::string_view function);
    static bool isRuntimeOwned(const std::vector<Frame>& stack);

    static NativeLeaks classify(std::vector<LeakRecord> leaks,
                                const LeakSuppressions& suppressions);
};

}  // namespace poolscope
