#version 330 core
// Viewport background: a checkerboard (or a solid colour) inside the canvas rectangle and a flat
// colour outside it. One full-screen triangle from gl_VertexID, no vertex buffers.
// u_canvas_rect is (x0, y0, x1, y1) in viewport px, origin top-left, +y down.
// Colours are opaque straight RGB (alpha 1, so premultiplied equals straight).

#if defined VERTEX_SHADER

void main() {
    vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}

#elif defined FRAGMENT_SHADER

uniform vec4 u_canvas_rect;
uniform float u_viewport_height;
uniform float u_cell_px;
uniform vec3 u_light;
uniform vec3 u_dark;
uniform vec3 u_outside;
out vec4 f_color;

void main() {
    vec2 p = vec2(gl_FragCoord.x, u_viewport_height - gl_FragCoord.y);
    bool inside = p.x >= u_canvas_rect.x && p.y >= u_canvas_rect.y && p.x < u_canvas_rect.z && p.y < u_canvas_rect.w;
    if (!inside) {
        f_color = vec4(u_outside, 1.0);
        return;
    }
    vec2 cell = floor((p - u_canvas_rect.xy) / u_cell_px);
    bool odd = mod(cell.x + cell.y, 2.0) >= 1.0;
    f_color = vec4(odd ? u_dark : u_light, 1.0);
}

#endif
