# Installs the built project into a scratch prefix and uses libmish_torch from
# there: a C++ consumer via find_package(mish COMPONENTS torch), and Python via
# torch.ops.load_library(<prefix>/lib/libmish_torch.so).
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
mish_install_into_prefix(include/mish/torch.hpp lib/libmish_torch.so lib/cmake/mish/mishTorchTargets.cmake)
execute_process(COMMAND ${PYTHON} -c
  "import torch; torch.ops.load_library('${prefix}/lib/libmish_torch.so'); x = torch.linspace(-3, 3, 7, dtype=torch.float64); assert torch.allclose(torch.ops.mish.mish(x), torch.nn.functional.mish(x)); print('python: ok')"
  RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "Python could not use the installed libmish_torch.so")
endif()
mish_build_and_run_consumer(${SOURCE_DIR}/tests/install/torch consumer_torch)
