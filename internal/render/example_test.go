package render_test

import (
	"fmt"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/render"
)

func ExampleTemplate_Render() {
	t, err := render.Parse("Hola {{attribute.Nombre}}, tu código es {{code}}. Cumpleaños: {{ attribute.fecha de nacimiento }}")
	if err != nil {
		panic(err)
	}
	contact := map[string]string{"nombre": "Ana", "Fecha de nacimiento": "1 de mayo"}
	out, err := t.Render(contact, map[string]string{"code": "4821"})
	fmt.Println(out, err)

	_, err = t.Render(nil, nil)
	for _, v := range herald.ErrorViolations(err) {
		fmt.Println(v.Field, "-", v.Message)
	}
	// Output:
	// Hola Ana, tu código es 4821. Cumpleaños: 1 de mayo <nil>
	// attribute.Nombre - Attribute "Nombre" has no value for this contact.
	// params.code - Parameter "code" is missing.
	// attribute.fecha de nacimiento - Attribute "fecha de nacimiento" has no value for this contact.
}

func ExampleParse_error() {
	_, err := render.Parse("Hi {{attribute.name, welcome")
	fmt.Println(err)
	// Output: placeholder {{ is not closed with }} (write {{{{ for a literal {{) (at character 4)
}
