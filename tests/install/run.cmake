# Installs the built project into a scratch prefix, then configures and builds
# a small consumer with find_package(mish) and with pkg-config, and runs both.
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
mish_install_into_prefix(include/mish/mish.h include/mish/activations.hpp lib/cmake/mish/mishConfig.cmake
                         lib/pkgconfig/mish.pc)
mish_build_and_run_consumer(${SOURCE_DIR}/tests/install consumer)
# pkg-config, the way a Makefile user would build
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
execute_process(COMMAND pkg-config --cflags --libs mish OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "pkg-config does not find mish.pc")
endif()
separate_arguments(flags)
execute_process(COMMAND cc ${SOURCE_DIR}/tests/install/consumer.c ${flags} -Wl,-rpath,${prefix}/lib -o ${WORK_DIR}/consumer_c
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "C consumer (pkg-config) failed to build")
endif()
execute_process(COMMAND ${WORK_DIR}/consumer_c RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "C consumer failed: ${rc}")
endif()
