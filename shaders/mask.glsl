#version 330 core
// Clip-mask coverage: a mask art mesh's texture alpha, written to every channel.
// Cubism uses the mask's texture alpha only (not its opacity or colours). Drawn with blend
// ONE, ONE_MINUS_SRC_COLOR, so overlapping masks combine as a union: c = a + c (1 - a).

#if defined VERTEX_SHADER

#include "include/view.glsl"

in vec2 in_position;
in vec2 in_uv;
out vec2 v_uv;

void main() {
    v_uv = in_uv;
    gl_Position = canvas_to_clip(in_position);
}

#elif defined FRAGMENT_SHADER

uniform sampler2D u_texture;

in vec2 v_uv;
out vec4 f_color;

void main() {
    f_color = vec4(texture(u_texture, v_uv).a);
}

#endif
