#pragma once

#include <QStringList>

#include <ostream>

namespace poolscope {

struct ImageLayout;
struct ImageLayoutRequest;

// `poolscope layout --width W --height H [--pixel NAME] [--max-pool-mb N]
// [--prefer-contiguous] [--json]`: what memory an image of that size would get, worked out
// without allocating it.
class LayoutCommand {
public:
    // `arguments` is the whole command line, the program name first and "layout" second.
    static int exec(const QStringList& arguments);

    // {"contiguous": bool, "singlePixelMemory": bool, "pooled": bool,
    //  "chunks": [{"rows": n, "elements": n, "bytes": n}]}, keys in that order.
    static std::string toJson(const ImageLayout& layout);
    static void printText(const ImageLayoutRequest& request, const ImageLayout& layout,
                          std::ostream& out);
};

}  // namespace poolscope
