# Installs the built project into a scratch prefix and uses libmish_torch from
# there: a C++ consumer via find_package(mish COMPONENTS torch), and Python via
# torch.ops.load_library(<prefix>/lib/libmish_torch.so).
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${prefix} RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
foreach(f include/mish/torch.hpp lib/libmish_torch.so lib/cmake/mish/mishTorchTargets.cmake)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "missing ${f} in the install tree")
  endif()
endforeach()
execute_process(COMMAND ${PYTHON} -c
  "import torch; torch.ops.load_library('${prefix}/lib/libmish_torch.so'); x = torch.linspace(-3, 3, 7, dtype=torch.float64); assert torch.allclose(torch.ops.mish.mish(x), torch.nn.functional.mish(x)); print('python: ok')"
  RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "Python could not use the installed libmish_torch.so")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install/torch -B ${WORK_DIR}/build -G "Unix Makefiles"
                        -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "torch consumer configure failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "torch consumer build failed")
endif()
execute_process(COMMAND ${WORK_DIR}/build/consumer_torch RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "torch consumer failed: ${rc}")
endif()
