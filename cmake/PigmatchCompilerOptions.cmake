# Warnings and sanitizers for every pigmatch target, through one interface library so that
# third-party code is not affected.
add_library(pigmatch_compiler_options INTERFACE)
add_library(pigmatch::compiler_options ALIAS pigmatch_compiler_options)

target_compile_options(pigmatch_compiler_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wimplicit-fallthrough -Wcast-align -Wformat=2)
# Not -Wnull-dereference: GCC 12 reports false positives inside libstdc++ strings (seen via CLI11).
if(PIGMATCH_WERROR)
  target_compile_options(pigmatch_compiler_options INTERFACE -Werror)
endif()

if(PIGMATCH_SANITIZERS)
  string(REPLACE "," ";" _san_list "${PIGMATCH_SANITIZERS}")
  set(_san_flags "")
  foreach(_san IN LISTS _san_list)
    list(APPEND _san_flags "-fsanitize=${_san}")
  endforeach()
  # Recover nowhere: a UBSan report must fail the test that triggered it.
  list(APPEND _san_flags -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(pigmatch_compiler_options INTERFACE ${_san_flags})
  target_link_options(pigmatch_compiler_options INTERFACE ${_san_flags})
endif()
