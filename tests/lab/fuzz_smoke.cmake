# Builds the libFuzzer targets of fuzz/ with clang and runs each for a fixed
# number of inputs (deterministic seed): a crash, sanitizer report or leak
# fails the test. Long fuzzing runs are for humans: see fuzz/CMakeLists.txt.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/fuzz -B ${WORK_DIR} -G Ninja
                        -DCMAKE_CXX_COMPILER=${CLANGXX} -DCMAKE_BUILD_TYPE=RelWithDebInfo
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "configuring the fuzz targets with ${CLANGXX} failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building the fuzz targets failed")
endif()
foreach(target fuzz_idx fuzz_cifar10)
  file(REMOVE_RECURSE ${WORK_DIR}/corpus_${target})
  file(MAKE_DIRECTORY ${WORK_DIR}/corpus_${target})
  execute_process(COMMAND ${WORK_DIR}/${target} -runs=${RUNS} -seed=1 -max_len=16384 ${WORK_DIR}/corpus_${target}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(rc)
    message(FATAL_ERROR "${target} failed (${rc}):\n${out}")
  endif()
  string(REGEX MATCH "Done [0-9]+ runs[^\n]*" done "${out}")
  message(STATUS "${target}: ${done}")
endforeach()
