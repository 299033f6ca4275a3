# Applies POOLSCOPE_SANITIZE to every target of the build.
if(POOLSCOPE_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(POOLSCOPE_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT POOLSCOPE_SANITIZE STREQUAL "")
  message(FATAL_ERROR "POOLSCOPE_SANITIZE must be '', 'address' or 'thread', not '${POOLSCOPE_SANITIZE}'")
endif()
