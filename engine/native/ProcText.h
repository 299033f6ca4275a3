#pragma once

#include <cstdint>
#include <string_view>

#include "native/ProcSample.h"

namespace poolscope {

// Reads the text of /proc files into figures. Pure functions on text, so that captured files
// can be tested. Lines the kernel may add are ignored; a line that names a figure read here but
// does not hold one, or a file that lacks one, is refused with a ProcError (Malformed) that
// names the file and the line.
namespace ProcText {

// /proc/PID/status. A zombie's status, or an exiting process's, has no memory lines: it is
// returned with `exited` set and the figures zero; one with some memory lines but not all is
// refused.
ProcStatusFigures parseStatus(std::string_view text);

// /proc/PID/smaps_rollup: its "[rollup]" header line, then "Key: N kB" lines.
ProcRollupFigures parseSmapsRollup(std::string_view text);

// /proc/PID/stat's start_brk (field 47): where the program's brk heap began, which is where its
// executable's bss ends. The command name in field 2 may hold spaces and parentheses, so fields
// are counted from the last ')'.
std::uint64_t parseStatStartBrk(std::string_view text);

}  // namespace ProcText

}  // namespace poolscope
