#pragma once

#include <QIcon>

namespace poolscope {

// The run controls' glyphs, drawn when painted in the application palette's button text
// colour (its disabled colour when disabled). Qt's own media icons are black pictures that
// vanish on a dark toolbar; these read on either theme and follow a theme switch without being
// made again.
class PaletteIcon {
public:
    enum class Glyph { Play, Pause, SeekBackward, SeekForward, Stop };

    static QIcon make(Glyph glyph);
};

}  // namespace poolscope
