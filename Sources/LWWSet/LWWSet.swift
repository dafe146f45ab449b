// The LWWSet module: see ../shared/DESIGN.md (module map). Its issue replaces this file.
