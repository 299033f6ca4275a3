#pragma once

#include <QPalette>
#include <QString>

namespace poolscope {

// The window's look: Fusion with the system's palette, a light one, or PoolScope's dark one.
class Theme {
public:
    // The dark palette PoolScope uses when the system's is dark or the user asks for dark.
    static QPalette darkPalette();
    // Qt 6.4 has no colour-scheme hint: the system's palette tells whether it is dark.
    static bool systemPaletteIsDark();
    // Light text on a dark window: colours drawn on it must be lighter to be seen.
    static bool isDark(const QPalette& palette);
    // "system", "light" or "dark"; anything else follows the system.
    static void apply(const QString& theme);
};

}  // namespace poolscope
