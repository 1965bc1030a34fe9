#version 330 core
// One art mesh: premultiplied texture, Cubism multiply/screen colours, opacity, optional clip mask.
// Output is premultiplied; the blend function (set per item by ArtMeshPass) does the compositing.

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

#include "include/color.glsl"

uniform sampler2D u_texture;   // premultiplied RGBA, row 0 = top of the layer image (uv v = 0)
uniform sampler2D u_mask;      // R = union coverage of the item's masks, framebuffer-sized
uniform float u_opacity;
uniform vec3 u_multiply_rgb;
uniform vec3 u_screen_rgb;
uniform int u_mask_mode;       // 0: no mask, 1: inside the masks, 2: outside (inverted)

in vec2 v_uv;
out vec4 f_color;

void main() {
    vec4 color = apply_multiply_screen(texture(u_texture, v_uv), u_multiply_rgb, u_screen_rgb);
    color *= u_opacity;
    if (u_mask_mode != 0) {
        float coverage = texelFetch(u_mask, ivec2(gl_FragCoord.xy), 0).r;
        color *= (u_mask_mode == 2) ? 1.0 - coverage : coverage;
    }
    f_color = color;
}

#endif
