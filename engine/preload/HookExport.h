#pragma once

// The hooks are the library's only exported symbols; everything else is hidden, so that the
// program's own symbols never bind to the interposer's internals.
#define POOLSCOPE_HOOK extern "C" __attribute__((visibility("default")))
#define POOLSCOPE_OPERATOR __attribute__((visibility("default")))
