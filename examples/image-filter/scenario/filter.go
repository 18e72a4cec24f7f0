package scenario

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
)

// Filter names a filter this example applies.
type Filter string

const (
	// Blur is a 7x7 box blur (49 reads per output pixel: enough arithmetic
	// per row that the work is clearly CPU-bound).
	Blur Filter = "blur"
	// Edges is a Sobel edge detector on the luminance.
	Edges Filter = "edges"
)

// rowFunc computes rows [lo, hi) of dst from src. Every output row depends
// only on src, so any split of the rows gives the same picture.
type rowFunc func(dst, src *image.RGBA, lo, hi int)

func (f Filter) rows() (rowFunc, error) {
	switch f {
	case Blur:
		return boxBlur, nil
	case Edges:
		return sobel, nil
	default:
		return nil, fmt.Errorf("unknown filter %q (want %q or %q)", string(f), Blur, Edges)
	}
}

// toRGBA returns img as an *image.RGBA with bounds starting at (0, 0).
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	return out
}

const blurRadius = 3

func boxBlur(dst, src *image.RGBA, lo, hi int) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	for y := lo; y < hi; y++ {
		for x := range w {
			var r, g, b, a, n int
			for dy := -blurRadius; dy <= blurRadius; dy++ {
				yy := y + dy
				if yy < 0 || yy >= h {
					continue
				}
				row := src.Pix[yy*src.Stride:]
				for dx := -blurRadius; dx <= blurRadius; dx++ {
					xx := x + dx
					if xx < 0 || xx >= w {
						continue
					}
					p := row[xx*4 : xx*4+4 : xx*4+4]
					r += int(p[0])
					g += int(p[1])
					b += int(p[2])
					a += int(p[3])
					n++
				}
			}
			o := dst.Pix[y*dst.Stride+x*4 : y*dst.Stride+x*4+4 : y*dst.Stride+x*4+4]
			o[0], o[1], o[2], o[3] = uint8(r/n), uint8(g/n), uint8(b/n), uint8(a/n)
		}
	}
}

func sobel(dst, src *image.RGBA, lo, hi int) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	lum := func(x, y int) float64 {
		x, y = min(max(x, 0), w-1), min(max(y, 0), h-1)
		p := src.Pix[y*src.Stride+x*4:]
		return 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
	}
	for y := lo; y < hi; y++ {
		for x := range w {
			gx := -lum(x-1, y-1) - 2*lum(x-1, y) - lum(x-1, y+1) + lum(x+1, y-1) + 2*lum(x+1, y) + lum(x+1, y+1)
			gy := -lum(x-1, y-1) - 2*lum(x, y-1) - lum(x+1, y-1) + lum(x-1, y+1) + 2*lum(x, y+1) + lum(x+1, y+1)
			v := uint8(min(255, math.Hypot(gx, gy)))
			o := dst.Pix[y*dst.Stride+x*4:]
			o[0], o[1], o[2], o[3] = v, v, v, 255
		}
	}
}

// Generate draws a w x h test picture: colour gradients, rings and stripes,
// so both a blur and edges are visible in the output.
func Generate(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy := float64(w)/2, float64(h)/2
	for y := range h {
		for x := range w {
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			ring := uint8(128 + 127*math.Sin(d/6))
			stripe := uint8(0)
			if (x/24+y/24)%2 == 0 {
				stripe = 90
			}
			img.SetRGBA(x, y, color.RGBA{
				R: uint8(x * 255 / max(1, w-1)),
				G: ring,
				B: uint8(y*255/max(1, h-1)) ^ stripe,
				A: 255,
			})
		}
	}
	return img
}
