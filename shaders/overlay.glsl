#version 330 core
// Flat-coloured overlay geometry in canvas px: wireframes, warp lattices, handles.
// Colours are premultiplied RGBA. Define VERTEX_COLOR for a per-vertex in_color;
// otherwise the whole draw uses u_color.

#if defined VERTEX_SHADER

#include "include/view.glsl"

in vec2 in_position;
#if defined VERTEX_COLOR
in vec4 in_color;
out vec4 v_color;
#endif

void main() {
#if defined VERTEX_COLOR
    v_color = in_color;
#endif
    gl_Position = canvas_to_clip(in_position);
}

#elif defined FRAGMENT_SHADER

#if defined VERTEX_COLOR
in vec4 v_color;
#else
uniform vec4 u_color;
#endif
out vec4 f_color;

void main() {
#if defined VERTEX_COLOR
    f_color = v_color;
#else
    f_color = u_color;
#endif
}

#endif
