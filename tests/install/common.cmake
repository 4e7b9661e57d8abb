# Steps shared by the install tests (included by run.cmake and run_torch.cmake).

# Installs BINARY_DIR into a fresh WORK_DIR/prefix (sets `prefix` in the caller)
# and checks that each of the given files is there.
function(mish_install_into_prefix)
  file(REMOVE_RECURSE ${WORK_DIR})
  set(prefix ${WORK_DIR}/prefix PARENT_SCOPE)
  execute_process(COMMAND ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${WORK_DIR}/prefix
                  RESULT_VARIABLE rc OUTPUT_QUIET)
  if(rc)
    message(FATAL_ERROR "cmake --install failed: ${rc}")
  endif()
  foreach(f ${ARGN})
    if(NOT EXISTS ${WORK_DIR}/prefix/${f})
      file(GLOB_RECURSE found RELATIVE ${WORK_DIR}/prefix ${WORK_DIR}/prefix/*)
      message(FATAL_ERROR "missing ${f} in the install tree; it has: ${found}")
    endif()
  endforeach()
endfunction()

# Configures the consumer project in source_dir against the prefix, builds it
# into WORK_DIR/build and runs its executable.
function(mish_build_and_run_consumer source_dir executable)
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${source_dir} -B ${WORK_DIR}/build -G "Unix Makefiles"
                          -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "${executable}: configure failed")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "${executable}: build failed")
  endif()
  execute_process(COMMAND ${WORK_DIR}/build/${executable} RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "${executable} failed: ${rc}")
  endif()
endfunction()
