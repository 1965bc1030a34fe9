#ifndef KIRIE_INCLUDE_COLOR_GLSL
#define KIRIE_INCLUDE_COLOR_GLSL
// Cubism multiply and screen colours on a premultiplied colour.
// Cubism SDK for Native, CubismShader_OpenGLES2 "FragShaderSrcPremultipliedAlpha":
//   rgb = rgb * multiply;  rgb = rgb + screen * a - rgb * screen.
// Equal to applying both to the straight colour and premultiplying afterwards.
vec4 apply_multiply_screen(vec4 premultiplied, vec3 multiply_rgb, vec3 screen_rgb) {
    vec3 rgb = premultiplied.rgb * multiply_rgb;
    rgb = rgb + screen_rgb * premultiplied.a - rgb * screen_rgb;
    return vec4(rgb, premultiplied.a);
}
#endif
