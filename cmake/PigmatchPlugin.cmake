# pigmatch_add_plugin(NAME SOURCES src... [LIBRARIES lib...] [OUTPUT_DIRECTORY dir]
#                     [INSTALL_DESTINATION dir])
#
# Builds a pigmatch plugin: a MODULE library named NAME.so that links only the header-only plugin
# SDK (pigmatch::plugin_sdk: plugin.h and plugin.hpp, C++20), with hidden symbol visibility so
# that the entry point (PIGMATCH_DEFINE_PLUGIN / PIGMATCH_PLUGIN_EXPORT) is its only export.
# Used for the built-in plugins and, through find_package(pigmatch), by vendors. Installs the
# plugin into INSTALL_DESTINATION when given.
include_guard(GLOBAL)

function(pigmatch_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY;INSTALL_DESTINATION" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "pigmatch_add_plugin(${name}): SOURCES is required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "pigmatch_add_plugin(${name}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE pigmatch::plugin_sdk ${ARG_LIBRARIES})
  # The file is found by its .so suffix alone; no "lib" prefix (it is not linked against).
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}")
  endif()
  if(ARG_INSTALL_DESTINATION)
    install(TARGETS ${name} LIBRARY DESTINATION "${ARG_INSTALL_DESTINATION}")
  endif()
endfunction()
