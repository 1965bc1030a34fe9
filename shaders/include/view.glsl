#ifndef KIRIE_INCLUDE_VIEW_GLSL
#define KIRIE_INCLUDE_VIEW_GLSL
// Canvas pixels (origin top-left, +y down) to clip space through the view matrix.
// u_mvp is built by app.render.view.View.mvp(): pan, zoom and the y flip to NDC.
uniform mat4 u_mvp;

vec4 canvas_to_clip(vec2 position_px) {
    return u_mvp * vec4(position_px, 0.0, 1.0);
}
#endif
