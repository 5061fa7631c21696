# Install rules and the CMake package of pigmatch (find_package(pigmatch)), included from
# plugins/CMakeLists.txt once libcore and the plugin SDK targets exist.
#
# The package has two parts:
#   - always: pigmatch::plugin_sdk (headers only) and pigmatch_add_plugin(): all a plugin needs.
#     A plugin never links libpigmatch, so a vendor needs none of pigmatch's dependencies.
#   - COMPONENTS core: pigmatch::core, the C++ library. It is a static library (the pigmatch
#     program stays one self-contained file and libcore's C++ API promises no binary stability,
#     which a shared library would suggest); its private dependencies are therefore part of its
#     link interface, and the package finds them (find_dependency) only when `core` is asked for.
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(PIGMATCH_CMAKE_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/pigmatch")
set(PIGMATCH_CATALOG_INSTALL_DIR "${CMAKE_INSTALL_DATADIR}/pigmatch/catalogs")

# ---- headers, library, program data -----------------------------------------------------------
# The SDK is the install component `sdk`, complete on its own (cmake --install BUILD --component
# sdk: its headers, its targets, the package files); its headers have their own root,
# include/pigmatch-sdk, which is all pigmatch::plugin_sdk puts on a plugin's include path.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/libcore/sdk/include/pigmatch"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/pigmatch-sdk" COMPONENT sdk
        FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/libcore/include/pigmatch"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
install(FILES "${PROJECT_BINARY_DIR}/libcore/generated/pigmatch/version.h"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/pigmatch")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/data/catalogs/" DESTINATION "${PIGMATCH_CATALOG_INSTALL_DIR}")

install(TARGETS pigmatch_plugin_sdk EXPORT pigmatchPluginTargets COMPONENT sdk)
install(EXPORT pigmatchPluginTargets NAMESPACE pigmatch:: DESTINATION "${PIGMATCH_CMAKE_INSTALL_DIR}"
        COMPONENT sdk)

set_target_properties(pigmatch_core PROPERTIES EXPORT_NAME core)
install(TARGETS pigmatch_core EXPORT pigmatchCoreTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(EXPORT pigmatchCoreTargets NAMESPACE pigmatch:: DESTINATION "${PIGMATCH_CMAKE_INSTALL_DIR}")

# ---- find_dependency() lines for pigmatch::core's link interface ------------------------------
# Derived from the libraries libcore links, so that a new dependency cannot be forgotten: an
# unknown namespaced target stops the configuration here, not at a user's find_package().
function(pigmatch_core_dependency_lines out)
  get_target_property(libraries pigmatch_core LINK_LIBRARIES)
  set(lines "")
  set(opencv_components "")
  foreach(library IN LISTS libraries)
    if(library MATCHES "^\\$<BUILD_INTERFACE:" OR library STREQUAL "${CMAKE_DL_LIBS}")
      continue()
    elseif(library STREQUAL "fmt::fmt")
      list(APPEND lines "find_dependency(fmt)")
    elseif(library STREQUAL "PkgConfig::LCMS2")
      list(APPEND lines "find_dependency(PkgConfig)"
                        "pkg_check_modules(LCMS2 REQUIRED QUIET IMPORTED_TARGET lcms2)")
    elseif(library STREQUAL "PkgConfig::LIBHEIF")
      list(APPEND lines "find_dependency(PkgConfig)"
                        "pkg_check_modules(LIBHEIF REQUIRED QUIET IMPORTED_TARGET libheif)")
    elseif(library STREQUAL "PkgConfig::LIBPQ")
      list(APPEND lines "find_dependency(PkgConfig)"
                        "pkg_check_modules(LIBPQ REQUIRED QUIET IMPORTED_TARGET libpq)")
    elseif(library MATCHES "^(JPEG|PNG|TIFF|ZLIB)::")
      list(APPEND lines "find_dependency(${CMAKE_MATCH_1})")
    elseif(library STREQUAL "Threads::Threads")
      list(APPEND lines "find_dependency(Threads)")
    elseif(library STREQUAL "nlohmann_json::nlohmann_json")
      list(APPEND lines "find_dependency(nlohmann_json)")
    elseif(library MATCHES "^Boost::")
      list(APPEND lines "find_dependency(Boost)")
    elseif(library STREQUAL "SQLite::SQLite3")
      list(APPEND lines "find_dependency(SQLite3)")
    elseif(library STREQUAL "OpenSSL::Crypto")
      list(APPEND lines "find_dependency(OpenSSL COMPONENTS Crypto)")
    elseif(library MATCHES "^opencv_(.*)$")
      list(APPEND opencv_components "${CMAKE_MATCH_1}")
    elseif(library MATCHES "::")
      message(FATAL_ERROR "cmake/PigmatchInstall.cmake: pigmatch_core links ${library}; add the "
                          "find_dependency() line for it to pigmatch_core_dependency_lines()")
    endif()
  endforeach()
  if(opencv_components)
    list(JOIN opencv_components " " components)
    list(APPEND lines "find_dependency(OpenCV COMPONENTS ${components})")
  endif()
  list(REMOVE_DUPLICATES lines)
  list(JOIN lines "\n  " text)
  set(${out} "${text}" PARENT_SCOPE)
endfunction()
pigmatch_core_dependency_lines(PIGMATCH_CORE_DEPENDENCIES)

# ---- the package files ----------------------------------------------------------------------------
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/pigmatchConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/cmake/pigmatchConfig.cmake"
  INSTALL_DESTINATION "${PIGMATCH_CMAKE_INSTALL_DIR}"
  PATH_VARS PIGMATCH_PLUGIN_INSTALL_DIR PIGMATCH_CATALOG_INSTALL_DIR CMAKE_INSTALL_INCLUDEDIR)
# Plugins are built against an ABI, not against one release: any 0.1.x pigmatch loads them.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/cmake/pigmatchConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/cmake/pigmatchConfig.cmake"
              "${PROJECT_BINARY_DIR}/cmake/pigmatchConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/PigmatchPlugin.cmake"
        DESTINATION "${PIGMATCH_CMAKE_INSTALL_DIR}" COMPONENT sdk)
