# The SDK as a vendor uses it: install pigmatch into a fresh prefix, build plugins/examples out of
# tree against it with find_package(pigmatch), then run the *installed* pigmatch with
# PIGMATCH_PLUGIN_PATH pointing at the example's output and check that the example's native
# plugin and both of its catalogs (one built into the plugin, one a JSON file) are listed.
#
# cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=... [-DSANITIZERS=a,b]
#       -P out_of_tree_test.cmake
cmake_minimum_required(VERSION 3.25)
foreach(var BUILD_DIR SOURCE_DIR WORK_DIR GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "${var} is required")
  endif()
endforeach()

function(run)
  cmake_parse_arguments(ARG "" "OUTPUT" "" ${ARGN})
  execute_process(COMMAND ${ARG_UNPARSED_ARGUMENTS} RESULT_VARIABLE status
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    list(JOIN ARG_UNPARSED_ARGUMENTS " " command)
    message(FATAL_ERROR "failed (${status}): ${command}\n${out}\n${err}")
  endif()
  if(ARG_OUTPUT)
    set(${ARG_OUTPUT} "${out}" PARENT_SCOPE)
  endif()
endfunction()

function(expect_json_member json array_key member_key value what)
  string(JSON count LENGTH "${json}" ${array_key})
  math(EXPR last "${count} - 1")
  if(count GREATER 0)
    foreach(i RANGE ${last})
      string(JSON got GET "${json}" ${array_key} ${i} ${member_key})
      if(got STREQUAL value)
        message(STATUS "ok: ${what}: ${value}")
        return()
      endif()
    endforeach()
  endif()
  message(FATAL_ERROR "${what}: '${value}' not found in:\n${json}")
endfunction()

# A sanitized pigmatch build exports a sanitized static libpigmatch; programs linking it need the
# same runtime (plugins do not link it, but are built alike for a uniform process).
set(flags "")
if(SANITIZERS)
  set(san "-fsanitize=${SANITIZERS}")
  set(flags "-DCMAKE_CXX_FLAGS=${san}" "-DCMAKE_EXE_LINKER_FLAGS=${san}"
            "-DCMAKE_MODULE_LINKER_FLAGS=${san}")
endif()

set(prefix "${WORK_DIR}/prefix")
set(example_build "${WORK_DIR}/example-build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/empty-xdg")

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
foreach(installed include/pigmatch-sdk/pigmatch/plugin.h include/pigmatch-sdk/pigmatch/plugin.hpp
                  include/pigmatch/formulation/catalog.h bin/pigmatch)
  if(NOT EXISTS "${prefix}/${installed}")
    message(FATAL_ERROR "not installed: ${installed}")
  endif()
endforeach()
# The SDK's headers live only in its own root.
if(EXISTS "${prefix}/include/pigmatch/plugin.h")
  message(FATAL_ERROR "plugin.h installed beside libcore's C++ headers (include/pigmatch)")
endif()
file(GLOB configs "${prefix}/lib*/cmake/pigmatch/pigmatchConfig.cmake"
                  "${prefix}/lib/*/cmake/pigmatch/pigmatchConfig.cmake")
if(NOT configs)
  message(FATAL_ERROR "pigmatchConfig.cmake not installed under ${prefix}")
endif()

# The example knows nothing of the source tree: only CMAKE_PREFIX_PATH leads it to pigmatch.
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/plugins/examples" -B "${example_build}" -G "${GENERATOR}"
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release ${flags})
run(${CMAKE_COMMAND} --build "${example_build}")

# Run the installed program with only the example's folder added (and no user folder).
set(env ${CMAKE_COMMAND} -E env PIGMATCH_PLUGIN_PATH=${example_build}/pigmatch
    XDG_DATA_HOME=${WORK_DIR}/empty-xdg)
run(${env} "${prefix}/bin/pigmatch" plugin list --json OUTPUT plugins)
expect_json_member("${plugins}" plugins id "com.acme-inks.catalog" "plugin list")
expect_json_member("${plugins}" plugins file "${example_build}/pigmatch/acme-inks.so" "plugin file")
# The installed built-in plugin is found next to the installed program, not in the build tree.
expect_json_member("${plugins}" plugins id "org.pigmatch.catalog-files" "built-in plugin")
string(JSON builtin_dir GET "${plugins}" search_paths plugin_directories 2 path)
if(NOT builtin_dir MATCHES "^${prefix}/")
  message(FATAL_ERROR "built-in plugin folder ${builtin_dir} is not under ${prefix}")
endif()

run(${env} "${prefix}/bin/pigmatch" catalog list --json OUTPUT catalogs)
expect_json_member("${catalogs}" catalogs id "acme.smp" "catalog built into the example plugin")
expect_json_member("${catalogs}" catalogs id "acme.camouflage" "example catalog file")
# The bundled demo catalogs, installed under share/pigmatch/catalogs.
expect_json_member("${catalogs}" catalogs id "demo-smp-carbon" "installed demo catalog")

# libpigmatch itself, for programs that want more than plugins.
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/sdk/core-consumer" -B "${WORK_DIR}/core-consumer"
    -G "${GENERATOR}" -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release ${flags})
run(${CMAKE_COMMAND} --build "${WORK_DIR}/core-consumer")
run(${env} "${WORK_DIR}/core-consumer/core-consumer" OUTPUT consumer)
message(STATUS "ok: core consumer: ${consumer}")

# The SDK alone (install component `sdk`): a vendor's plugin builds with nothing else installed.
set(sdk_prefix "${WORK_DIR}/sdk-prefix")
run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --component sdk --prefix "${sdk_prefix}")
file(GLOB_RECURSE sdk_files RELATIVE "${sdk_prefix}" "${sdk_prefix}/*")
foreach(file IN LISTS sdk_files)
  if(NOT file MATCHES "^include/pigmatch-sdk/pigmatch/plugin\\.h(pp)?$"
     AND NOT file MATCHES "^lib[^/]*/(.*/)?cmake/pigmatch/[^/]+\\.cmake$")
    message(FATAL_ERROR "the SDK component installs ${file}, which is not the SDK")
  endif()
endforeach()
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/plugins/examples" -B "${WORK_DIR}/sdk-only-example"
    -G "${GENERATOR}" -DCMAKE_PREFIX_PATH=${sdk_prefix} -DCMAKE_BUILD_TYPE=Release ${flags})
run(${CMAKE_COMMAND} --build "${WORK_DIR}/sdk-only-example")
message(STATUS "ok: the example plugin builds against the SDK component alone")

# A plugin cannot include libcore's C++ headers through the SDK, even with the whole of pigmatch
# installed in the same prefix.
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/sdk/sdk-boundary" -B "${WORK_DIR}/sdk-boundary"
    -G "${GENERATOR}" -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release ${flags})
execute_process(COMMAND ${CMAKE_COMMAND} --build "${WORK_DIR}/sdk-boundary"
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(status EQUAL 0)
  message(FATAL_ERROR "a plugin including pigmatch/formulation/catalog.h built against the SDK")
endif()
if(NOT "${out}${err}" MATCHES "pigmatch/formulation/catalog\\.h")
  message(FATAL_ERROR "the SDK boundary build failed for another reason:\n${out}\n${err}")
endif()
message(STATUS "ok: libcore's C++ headers are outside the SDK's include path")
