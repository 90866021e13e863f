# Compiler flags of the fuzz build (ORCH_BUILD_FUZZ): every library is built with libFuzzer's
# coverage instrumentation and ASan + UBSan, so a fuzz target reports memory errors and undefined
# behaviour wherever they happen; only the targets themselves link libFuzzer's main
# (fuzz/CMakeLists.txt). Requires clang.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "ORCH_BUILD_FUZZ needs clang (libFuzzer); use the fuzz preset")
endif()
# -O1: fast enough to fuzz, and asserts stay on (no NDEBUG) since they are findings too.
add_compile_options(-O1 -g -fno-omit-frame-pointer
                    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined)
add_link_options(-fsanitize=address,undefined)
